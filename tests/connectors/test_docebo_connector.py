"""The Docebo connector against the Docebo simulator: fetch walks every page of every
collection into records, each operation kind lands in the simulator's state, partial
failures are per operation, tokens are renewed and re-fetched, faults are retried,
nothing runs concurrently and no secret reaches a log line or an error."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from structlog.testing import capture_logs

from syncd.clock import FakeClock
from syncd.connectors.base import ConnectorContext, CreateCarries
from syncd.connectors.docebo import DoceboConnector
from syncd.errors import ConfigError, FatalError, RetriableError
from syncd.keys import UserKey
from syncd.kinds import KINDS, build_connector
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    Enroll,
    FieldChange,
    MoveGroup,
    Operation,
    OpKind,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import (
    CourseCode,
    EmployeeId,
    EnrollmentStatus,
    FetchItem,
    Group,
    GroupKind,
    GroupRef,
    PartRead,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteUser,
)
from syncd.sandbox import DoceboSimulator
from syncd.sandbox.docebo.records import API_ERAS, ApiEra
from tests.lms_fixtures import LosingTransport, Refs

if TYPE_CHECKING:
    from syncd.connectors.docebo.settings import DoceboTarget

ConnectorMaker = Callable[..., DoceboConnector]
Lossy = Callable[..., LosingTransport]
USERS = "/manage/v1/user"
ORGCHART = "/manage/v1/orgchart"
BATCH = f"{ORGCHART}/batch"
TREE = [("EU", None), ("US", None), ("DE", "EU"), ("BE", "DE")]
QUIET = {"update_user_info": True, "send_notification_email": False}  # a user batch's options
ORG, GRP = GroupKind.ORG_UNIT, GroupKind.GROUP


both_eras = pytest.mark.parametrize("sim", API_ERAS, indirect=True)


@pytest.fixture
def sim(request: pytest.FixtureRequest, clock: FakeClock) -> DoceboSimulator:
    """A modern Docebo; a test marked `both_eras` runs against a 2017 one too."""
    era: ApiEra = getattr(request, "param", "modern")
    return DoceboSimulator(clock=lambda: clock.now().timestamp(), api_era=era)


def person(n: int, **changes: Any) -> Person:
    fields: dict[str, Any] = {
        "employee_id": EmployeeId(f"E{n}"),
        "email": f"p{n}@acme.com",
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "username": f"p{n}@acme.com",
    }
    return Person(**(fields | changes))


def rid(value: int) -> RemoteId:
    return RemoteId(str(value))


def org(code: str) -> GroupRef:
    return GroupRef(ORG, code)


def grp(code: str) -> GroupRef:
    return GroupRef(GRP, code)


def seed_people(sim: DoceboSimulator, refs: Refs, *numbers: int) -> dict[int, int]:
    ids = {
        n: sim.seed_user(f"p{n}@acme.com", f"p{n}@acme.com", f"First{n}", f"Last{n}")
        for n in numbers
    }
    refs.users.update({EmployeeId(f"E{n}"): rid(i) for n, i in ids.items()})
    return ids


def bodies(sim: DoceboSimulator, method: str, path: str) -> list[Any]:
    return [r.body for r in sim.requests if (r.method, r.path) == (method, path)]


# --- fetch ---------------------------------------------------------------------------------


def seed_platform(sim: DoceboSimulator) -> set[object]:
    """Seven users, a branch tree, three groups, five courses and their links: the records
    the connector must read back (every enrollment made, the completed ones completed, now
    on the simulator's clock)."""
    now = dt.datetime.fromtimestamp(sim.state.clock(), dt.UTC)
    users = {
        n: sim.seed_user(f"u{n}", f"u{n}@acme.com", f"F{n}", f"L{n}", active=n != 3)
        for n in range(1, 8)
    }
    expected: set[object] = {
        RemoteUser(rid(i), f"u{n}", f"u{n}@acme.com", f"F{n}", f"L{n}", n != 3)
        for n, i in users.items()
    }
    tree = [
        ("A", None),
        ("A1", "A"),
        ("A1x", "A1"),
        ("A2", "A"),
        ("B", None),
        ("C", None),
        ("C1", "C"),
    ]
    branches: dict[str, int] = {}
    for code, parent in tree:
        branches[code] = sim.seed_branch(code, f"Title {code}", parent)
        parent_id = rid(branches[parent]) if parent else None
        expected.add(RemoteGroup(rid(branches[code]), ORG, f"Title {code}", code, parent_id))
    for code, n in [("A", 1), ("A1x", 2), ("A1x", 3), ("A1x", 4), ("B", 5), ("C1", 6)]:
        sim.assign_branch(branches[code], users[n])
        expected.add(RemoteMembership(ORG, rid(branches[code]), rid(users[n])))
    for name, members in [("Sales", [1, 2, 3, 4, 5]), ("Ops", []), ("All", [1, 7])]:
        group_id = sim.seed_group(name)
        expected.add(RemoteGroup(rid(group_id), GRP, name))
        for n in members:
            sim.seed_membership(group_id, users[n])
            expected.add(RemoteMembership(GRP, rid(group_id), rid(users[n])))
    for c in range(1, 6):
        course_id = sim.seed_course(f"C-{c}", f"Course {c}")
        expected.add(RemoteCourse(rid(course_id), f"C-{c}", f"Course {c}"))
        for n in range(1, 8 - c):
            status = "completed" if n == 1 else "subscribed"
            sim.seed_enrollment(course_id, users[n], status=status)
            normalized = EnrollmentStatus.COMPLETED if n == 1 else EnrollmentStatus.ENROLLED
            done = now if n == 1 else None
            progress = Progress(enrolled_at=now, completed_at=done, raw_status=status)
            expected.add(RemoteEnrollment(rid(course_id), rid(users[n]), normalized, progress))
    return expected


def records_of(items: Iterable[FetchItem]) -> list[object]:
    """What a fetch yielded, less its `PartRead` marks."""
    return [item for item in items if not isinstance(item, PartRead)]


@both_eras
def test_fetch_walks_every_page_of_every_collection(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    expected = seed_platform(sim)
    fetched = records_of(make_connector(page_size=2).fetch())
    assert len(fetched) == len(expected)
    assert set(fetched) == expected
    lists = [r for r in sim.requests if r.method == "GET" and r.status == 200]
    assert all(r.query["page_size"] == ("2",) and r.query["sort_dir"] == ("asc",) for r in lists)
    pages = [int(r.query["page"][0]) for r in lists if r.path == USERS]
    assert pages == [1, 2, 3, 4]
    # The one list, 20 enrollments 2 a page, where each course's (6, 5, 4, 3 and 2) takes 11.
    enrollment_pages = [r for r in lists if r.path == "/learn/v1/enrollments"]
    assert len(enrollment_pages) == 10
    assert not [r for r in lists if r.path.startswith("/course/v1/courses/")]


@both_eras
def test_fetch_lists_the_tree_in_as_few_listings_as_the_era_allows(
    sim: DoceboSimulator, connector: DoceboConnector
) -> None:
    """Modern: one flattened listing. 2017 (no flag): the root, then each inner branch."""
    seed_platform(sim)
    list(connector.fetch())
    listings = [r for r in sim.requests if r.path == ORGCHART]
    assert all(r.query["flattened"] == ("true",) for r in listings)
    listed = {r.query.get("node_id", ("root",))[0] for r in listings}
    inner = {str(b.id) for b in sim.state.branches.values() if b.code in ("A", "A1", "C")}
    assert listed == ({"root"} if sim.api_era == "modern" else inner | {"root"})


@both_eras
def test_groups_and_enrollments_come_from_the_lists_the_tenant_serves(
    sim: DoceboSimulator, connector: DoceboConnector
) -> None:
    """A 2017 tenant refuses audiences once (404); the connector remembers, so its next
    fetch does not ask. Both eras serve the one enrollment list, the cheaper walk."""
    seed_platform(sim)
    list(connector.fetch())
    refused = [(r.path, r.status) for r in sim.requests if r.status == 404]
    modern = sim.api_era == "modern"
    first_course = min(sim.state.courses)
    assert first_course
    assert refused == ([] if modern else [("/audiences/v1/audience", 404)])
    sim.clear_log()
    list(connector.fetch())
    paths = {r.path for r in sim.requests}
    assert all(r.status == 200 for r in sim.requests)
    assert ("/audiences/v1/audience" in paths) is modern
    assert ("/manage/v1/group" in paths) is not modern
    assert "/learn/v1/enrollments" in paths
    assert not [path for path in paths if path.startswith("/course/v1/courses/")]


def test_a_tenant_refusing_the_enrollment_list_is_read_course_by_course(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    """A 404 on the one list: each course's list instead (2 a page: 3 + 3 + 2 + 2 + 1
    pages), remembered for the connector's life."""
    expected = seed_platform(sim)
    connector = make_connector(page_size=2)
    sim.fail_next(1, 404, path_prefix="/learn/v1/enrollments")
    assert set(records_of(connector.fetch())) == expected
    sim.clear_log()
    assert set(records_of(connector.fetch())) == expected
    lists = [r for r in sim.requests if r.method == "GET"]
    assert not [r for r in lists if r.path == "/learn/v1/enrollments"]
    per_course = [r for r in lists if r.path.startswith("/course/v1/courses/")]
    assert len(per_course) == 3 + 3 + 2 + 2 + 1
    assert all(r.query["extra_fields[]"] == ("enrollment_status",) for r in per_course)


@both_eras
def test_fetch_streams_and_fails_after_what_it_yielded(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    seed_platform(sim)
    groups = "/audiences/v1/audience" if sim.api_era == "modern" else "/manage/v1/group"
    sim.fail_next(50, 500, path_prefix=groups)
    records: list[object] = []
    with pytest.raises(RetriableError, match=f"GET {groups}: HTTP 500"):
        records.extend(make_connector(max_attempts=2).fetch())
    assert {type(r) for r in records} == {RemoteUser, PartRead, RemoteGroup, RemoteMembership}
    assert [r.part for r in records if isinstance(r, PartRead)] == [RemotePart.USERS]
    assert all(r.kind is ORG for r in records if isinstance(r, RemoteGroup))


def test_a_server_repeating_a_page_is_a_pagination_loop(
    clock: FakeClock, make_connector: ConnectorMaker
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            return httpx.Response(200, json={"access_token": "tok-abcdef", "expires_in": 3600})
        page = {
            "items": [
                {
                    "user_id": "1",
                    "username": "u",
                    "email": "u@acme.com",
                    "first_name": "U",
                    "last_name": "Ser",
                    "status": "1",
                }
            ],
            "has_more_data": True,
            "current_page": 1,
        }
        return httpx.Response(200, json={"data": page})

    connector = make_connector(transport=httpx.MockTransport(handler))
    with pytest.raises(FatalError, match="pagination loop on /manage/v1/user"):
        list(connector.fetch())


# --- users ---------------------------------------------------------------------------------


def test_create_users_in_one_batch(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    outcomes = connector.apply([CreateUser(person(1)), CreateUser(person(2))], refs)
    snapshot = sim.snapshot()
    assert outcomes == [
        Applied(rid(sim.state.user_by_username(f"p{n}@acme.com").user_id))  # type: ignore[union-attr]
        for n in (1, 2)
    ]
    assert snapshot.users == {
        f"p{n}@acme.com": (f"p{n}@acme.com", f"First{n}", f"Last{n}", True) for n in (1, 2)
    }
    [body] = bodies(sim, "POST", "/manage/v1/user/batch")
    assert body["options"] == QUIET


def test_update_user_by_id_renaming_it(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    ids = seed_people(sim, refs, 1)
    new = person(1, username="ann", email="ann@acme.com", last_name="Smith")
    changes = (
        FieldChange("username", "p1@acme.com", "ann"),
        FieldChange("email", "p1@acme.com", "ann@acme.com"),
    )
    assert connector.apply([UpdateUser(new, changes)], refs) == [Applied(rid(ids[1]))]
    assert sim.snapshot().users == {"ann": ("ann@acme.com", "First1", "Smith", True)}
    [body] = bodies(sim, "POST", "/manage/v1/user/batch")
    assert body["items"][0]["user_id"] == ids[1]
    assert body["items"][0]["new_username"] == "ann"


def test_update_without_username_change_sends_no_new_username(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    op = UpdateUser(person(1, first_name="Ann"), (FieldChange("first_name", "First1", "Ann"),))
    assert isinstance(connector.apply([op], refs)[0], Applied)
    [body] = bodies(sim, "POST", "/manage/v1/user/batch")
    assert "new_username" not in body["items"][0]
    assert sim.snapshot().users["p1@acme.com"][1] == "Ann"


def test_deactivate_and_reactivate(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2)
    ops = [DeactivateUser(EmployeeId("E1")), DeactivateUser(EmployeeId("E2"))]
    assert connector.apply(ops, refs) == [Applied(), Applied()]
    assert [v[3] for v in sim.snapshot().users.values()] == [False, False]
    assert connector.apply([ReactivateUser(EmployeeId("E2"))], refs) == [Applied()]
    assert sim.snapshot().users["p2@acme.com"][3] is True
    assert len(bodies(sim, "PUT", "/manage/v1/user/change_status")) == 2


def test_status_changes_ride_in_the_user_batch_as_active_rows(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    """lms-apis.md 1.7: `active` is a batch item field. A (de)activation packed with user
    rows (`status_in_user_rows`) is a row of `user_id` and `active`, in the same call."""
    ids = seed_people(sim, refs, 1, 2)
    connector.apply([DeactivateUser(EmployeeId("E2"))], refs)
    ops: list[Operation] = [
        CreateUser(person(3)),
        DeactivateUser(EmployeeId("E1")),
        ReactivateUser(EmployeeId("E2")),
    ]
    outcomes = connector.apply(ops, refs)
    assert isinstance(outcomes[0], Applied)
    assert all(isinstance(o, Applied) for o in outcomes[1:])
    [body] = bodies(sim, "POST", "/manage/v1/user/batch")
    assert body["items"][:2] == [
        {"user_id": int(ids[1]), "active": False},
        {"user_id": int(ids[2]), "active": True},
    ]
    users = sim.snapshot().users
    assert (users["p1@acme.com"][3], users["p2@acme.com"][3], users["p3@acme.com"][3]) == (
        False,
        True,
        True,
    )
    assert len(bodies(sim, "PUT", "/manage/v1/user/change_status")) == 1  # the seeding's


def test_a_status_row_for_someone_the_batch_writes_is_refused_unsent(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    op = UpdateUser(person(1, first_name="Ann"), (FieldChange("first_name", "First1", "Ann"),))
    with pytest.raises(TypeError, match="one kind"):
        connector.apply([op, DeactivateUser(EmployeeId("E1"))], refs)
    assert bodies(sim, "POST", "/manage/v1/user/batch") == []


def test_a_failed_row_rejects_that_user_only(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    ops = [CreateUser(person(1)), CreateUser(person(2, email="nope")), CreateUser(person(3))]
    outcomes = connector.apply(ops, refs)
    assert outcomes[1] == Rejected("Invalid email: nope")
    assert isinstance(outcomes[0], Applied)
    assert isinstance(outcomes[2], Applied)
    assert set(sim.snapshot().users) == {"p1@acme.com", "p3@acme.com"}


def test_an_update_of_a_user_docebo_lost_is_rejected_with_its_words(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    refs.users[EmployeeId("E2")] = rid(999)
    ops = [UpdateUser(person(n, first_name="X"), ()) for n in (1, 2)]
    assert connector.apply(ops, refs) == [Applied(rid(1)), Rejected("User not found: 999")]


def test_a_missing_link_rejects_that_op_only(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    ops = [DeactivateUser(EmployeeId("E1")), DeactivateUser(EmployeeId("E9"))]
    assert connector.apply(ops, refs) == [Applied(), Rejected("no user linked for E9")]


def test_a_request_refused_as_a_whole_rejects_every_op_it_carried(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    refs.users[EmployeeId("E2")] = rid(999)
    ops = [DeactivateUser(EmployeeId("E1")), DeactivateUser(EmployeeId("E2"))]
    refused = Rejected("Users not found: 999 (HTTP 400)")
    assert connector.apply(ops, refs) == [refused, refused]
    assert sim.snapshot().users["p1@acme.com"][3] is True


def test_a_create_resent_after_a_lost_answer_leaves_one_user(
    sim: DoceboSimulator, make_connector: ConnectorMaker, refs: Refs, lossy: Lossy
) -> None:
    transport = lossy("POST", "/manage/v1/user/batch")
    [outcome] = make_connector(transport=transport).apply([CreateUser(person(1))], refs)
    assert len(bodies(sim, "POST", "/manage/v1/user/batch")) == 2
    assert list(sim.snapshot().users) == ["p1@acme.com"]
    assert outcome == Applied(rid(sim.state.user_by_username("p1@acme.com").user_id))  # type: ignore[union-attr]


# --- branches and groups -------------------------------------------------------------------


def test_create_branches_under_root_and_under_a_parent(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    """A parent made in the same batch goes one call ahead of its children (rows do not see
    each other's branches); a parent that exists already needs no call of its own."""
    ops = [CreateGroup(Group(org(c), c, org(p) if p else None)) for c, p in TREE[:3]]
    outcomes = connector.apply(ops, refs)
    ids = {b.code: rid(b.id) for b in sim.state.branches.values()}
    assert outcomes == [Applied(ids[code]) for code, _ in TREE[:3]]
    assert sim.snapshot().branches == {"EU": ("EU", None), "US": ("US", None), "DE": ("DE", "EU")}
    assert sent_rows(sim) == [[("EU", ""), ("US", "")], [("DE", "EU")]]
    assert connector.apply([CreateGroup(Group(org("FR"), "France", org("EU")))], refs)
    assert sent_rows(sim)[2:] == [[("FR", "EU")]]
    assert sim.snapshot().branches["FR"] == ("France", "EU")


def test_a_tree_deeper_than_two_levels_takes_two_calls(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    """Every branch first (those under a branch the batch makes, at the root for now), then
    one call with `update` true placing them."""
    ops = [CreateGroup(Group(org(c), c, org(p) if p else None)) for c, p in TREE]
    outcomes = connector.apply(ops, refs)
    ids = {b.code: rid(b.id) for b in sim.state.branches.values()}
    assert outcomes == [Applied(ids[code]) for code, _ in TREE]
    assert sim.snapshot().branches == {
        "EU": ("EU", None),
        "US": ("US", None),
        "DE": ("DE", "EU"),
        "BE": ("BE", "DE"),
    }
    everything = [("EU", ""), ("US", ""), ("DE", ""), ("BE", "")]
    assert sent_rows(sim) == [everything, [("DE", "EU"), ("BE", "DE")]]
    assert [b["options"] for b in bodies(sim, "POST", BATCH)] == [
        {"update": False},
        {"update": True},
    ]


def sent_rows(sim: DoceboSimulator) -> list[list[tuple[str, str]]]:
    return [[(i["code"], i["parent_code"]) for i in b["items"]] for b in bodies(sim, "POST", BATCH)]


def test_rename_move_and_delete_a_branch_by_code(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    refs.groups[org("EU")] = rid(sim.seed_branch("EU", "Europe"))
    sim.seed_branch("DE", "Germany")
    assert connector.apply([UpdateGroup(Group(org("DE"), "Deutschland"), "Germany")], refs) == [
        Applied()
    ]
    move = MoveGroup(Group(org("DE"), "Deutschland", org("EU")), None)
    assert connector.apply([move], refs) == [Applied()]
    assert sim.snapshot().branches["DE"] == ("Deutschland", "EU")
    refs.groups[org("DE")] = rid(sim.state.branches_by_code("DE")[0].id)
    assert connector.apply([DeleteGroup(org("DE"))], refs) == [Applied()]
    assert set(sim.snapshot().branches) == {"EU"}
    assert bodies(sim, "DELETE", BATCH) == [{"ids": [int(refs.groups[org("DE")])]}]
    addressed = [r for r in sim.writes if "/DE" in r.path]
    de = f"{ORGCHART}/DE"
    assert [r.path for r in addressed] == [de, f"{de}/move"]
    assert all(r.query["use_secondary_identifier"] == ("true",) for r in addressed)


def test_create_rename_and_delete_a_group(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    [made] = connector.apply([CreateGroup(Group(grp("sales"), "Sales"))], refs)
    assert isinstance(made, Applied)
    assert made.remote_id is not None
    refs.groups[grp("sales")] = made.remote_id
    assert connector.apply([UpdateGroup(Group(grp("sales"), "Sales EMEA"), "Sales")], refs) == [
        Applied()
    ]
    assert set(sim.snapshot().groups) == {"Sales EMEA"}
    assert connector.apply([DeleteGroup(grp("sales"))], refs) == [Applied()]
    assert sim.snapshot().groups == {}


def test_deleting_what_is_already_gone_is_done(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    refs.groups[grp("gone")] = rid(77)
    refs.groups[org("NOPE")] = rid(78)
    assert connector.apply([DeleteGroup(grp("gone")), DeleteGroup(org("NOPE"))], refs) == [
        Applied(),
        Applied(),
    ]


def test_a_parent_deleted_with_its_children_goes_in_the_next_call(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    """Rows are checked against the tree before the call: the parent's row is refused
    while its child's goes through, so the refused rows are sent again, until a call
    removes nothing (a branch with children HR does not delete stays, refused)."""
    for code, parent in (("EU", None), ("DE", "EU"), ("KEEP", None), ("HAND", "KEEP")):
        refs.groups[org(code)] = rid(sim.seed_branch(code, code, parent))
    ops = [DeleteGroup(org("DE")), DeleteGroup(org("EU")), DeleteGroup(org("KEEP"))]
    outcomes = connector.apply(ops, refs)
    assert outcomes[:2] == [Applied(), Applied()]
    assert isinstance(outcomes[2], Rejected)
    assert "has children" in outcomes[2].error
    assert set(sim.snapshot().branches) == {"KEEP", "HAND"}
    assert [len(b["ids"]) for b in bodies(sim, "DELETE", BATCH)] == [3, 2, 1]


def test_a_config_group_does_not_move(connector: DoceboConnector, refs: Refs) -> None:
    [outcome] = connector.apply([MoveGroup(Group(grp("sales"), "Sales"), None)], refs)
    assert outcome == Rejected("Docebo groups are flat: only branches move")


def test_a_branch_create_whose_answer_was_lost_adopts_the_branch(
    sim: DoceboSimulator, make_connector: ConnectorMaker, refs: Refs, lossy: Lossy
) -> None:
    """The batch skips a code that exists (`update` false), so the resend answers its id."""
    connector = make_connector(transport=lossy("POST", BATCH))
    [outcome] = connector.apply([CreateGroup(Group(org("EU"), "E"))], refs)
    [branch] = sim.state.branches.values()
    assert outcome == Applied(rid(branch.id))
    assert len(bodies(sim, "POST", BATCH)) == 2
    assert all(b["options"] == {"update": False} for b in bodies(sim, "POST", BATCH))


def test_a_branch_batch_lost_on_the_way_is_resent(
    sim: DoceboSimulator, make_connector: ConnectorMaker, refs: Refs, lossy: Lossy
) -> None:
    connector = make_connector(transport=lossy("POST", BATCH, deliver=False))
    [outcome] = connector.apply([CreateGroup(Group(org("EU"), "E"))], refs)
    [branch] = sim.state.branches.values()
    assert outcome == Applied(rid(branch.id))


def test_a_create_refused_for_a_taken_code_or_name_adopts_it(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    branch_id, group_id = sim.seed_branch("EU", "Europe"), sim.seed_group("Sales")
    ops = [CreateGroup(Group(org("EU"), "Europe")), CreateGroup(Group(grp("s"), "Sales"))]
    assert connector.apply(ops[:1], refs) + connector.apply(ops[1:], refs) == [
        Applied(rid(branch_id)),
        Applied(rid(group_id)),
    ]


def test_a_refused_create_with_nothing_to_adopt_is_rejected_with_docebo_words(
    connector: DoceboConnector, refs: Refs
) -> None:
    [outcome] = connector.apply([CreateGroup(Group(org("DE"), "Germany", org("X")))], refs)
    assert outcome == Rejected("Parent branch not found: X")


# --- memberships and enrollments ----------------------------------------------------------


def test_add_and_remove_members_grouped_per_group(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2, 3)
    refs.groups[org("EU")] = rid(sim.seed_branch("EU", "Europe"))
    refs.groups[grp("sales")] = rid(sim.seed_group("Sales"))
    adds = [
        AddMember(ref, EmployeeId(f"E{n}")) for ref in (org("EU"), grp("sales")) for n in (1, 2, 3)
    ]
    assert connector.apply(adds, refs) == [Applied()] * 6
    assert len(sim.writes) == 2
    removes = [
        RemoveMember(org("EU"), EmployeeId("E1")),
        RemoveMember(grp("sales"), EmployeeId("E2")),
    ]
    assert connector.apply(removes, refs) == [Applied(), Applied()]
    snapshot = sim.snapshot()
    assert snapshot.branch_members == {("EU", "p2@acme.com"), ("EU", "p3@acme.com")}
    assert snapshot.group_members == {("Sales", "p1@acme.com"), ("Sales", "p3@acme.com")}


def test_a_member_docebo_does_not_know_is_rejected_alone(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    refs.users[EmployeeId("E2")] = rid(999)
    refs.groups[org("EU")] = rid(sim.seed_branch("EU", "Europe"))
    refs.groups[grp("sales")] = rid(sim.seed_group("Sales"))
    ops = [AddMember(ref, EmployeeId(e)) for ref in (org("EU"), grp("sales")) for e in ("E1", "E2")]
    assert connector.apply(ops, refs) == [
        Applied(),
        Rejected("User not found: 999"),
        Applied(),
        Rejected("User not found: 999"),
    ]


def test_enroll_and_unenroll_grouped_per_course(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2)
    for code in ("SEC-101", "GDPR"):
        refs.courses[CourseCode(code)] = rid(sim.seed_course(code, code))
    ops = [Enroll(EmployeeId(e), CourseCode(c)) for c in ("SEC-101", "GDPR") for e in ("E1", "E2")]
    assert connector.apply(ops, refs) == [Applied()] * 4
    assert [b["level"] for b in bodies(sim, "POST", "/learn/v1/enrollments")] == [3, 3]
    unenroll = [Unenroll(EmployeeId("E1"), CourseCode("GDPR"))]
    assert connector.apply(unenroll, refs) == [Applied()]
    assert sim.snapshot().enrollments == {
        ("SEC-101", "p1@acme.com"),
        ("SEC-101", "p2@acme.com"),
        ("GDPR", "p2@acme.com"),
    }


def test_an_unknown_course_rejects_only_that_enrollment(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2)
    refs.courses[CourseCode("SEC-101")] = rid(sim.seed_course("SEC-101", "Security"))
    ops = [
        Enroll(EmployeeId("E1"), CourseCode("SEC-101")),
        Enroll(EmployeeId("E2"), CourseCode("NOPE")),
    ]
    assert connector.apply(ops, refs) == [Applied(), Rejected("no course linked for NOPE")]
    assert sim.snapshot().enrollments == {("SEC-101", "p1@acme.com")}


def test_a_course_docebo_does_not_know_rejects_its_enrollments(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2)
    refs.courses[CourseCode("GONE")] = rid(404)
    ops = [Enroll(EmployeeId(e), CourseCode("GONE")) for e in ("E1", "E2")]
    assert connector.apply(ops, refs) == [Rejected("Course not found: 404")] * 2


def test_the_targets_course_table_wins_over_the_links(
    sim: DoceboSimulator, make_connector: ConnectorMaker, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    course_id = sim.seed_course("SEC-101", "Security")
    connector = make_connector(courses={"SEC-101": str(course_id)})
    assert connector.apply([Enroll(EmployeeId("E1"), CourseCode("SEC-101"))], refs) == [Applied()]


# --- the rest of the contract ----------------------------------------------------------------


def test_adopt_is_never_sent(sim: DoceboSimulator, connector: DoceboConnector, refs: Refs) -> None:
    op = Adopt(UserKey(EmployeeId("E1")), rid(5))
    assert connector.apply([op], refs) == [Applied(rid(5))]
    assert connector.apply([], refs) == []
    assert sim.requests == []


def test_a_batch_mixing_kinds_is_a_programming_error(
    connector: DoceboConnector, refs: Refs
) -> None:
    with pytest.raises(TypeError, match="one kind"):
        connector.apply([CreateUser(person(1)), DeactivateUser(EmployeeId("E1"))], refs)


def test_capabilities(make_connector: ConnectorMaker) -> None:
    """`batch_size` is the user rows (and deleted ids) a call; every other list-taking write
    sends up to its endpoint's 1,000 ids; a new user's row carries their branch, and a
    branch removal rides with the person's branch addition."""
    caps = make_connector(batch_size=50).capabilities
    rows = {OpKind.CREATE_USER, OpKind.UPDATE_USER, OpKind.DELETE_USER}
    lists = {
        OpKind.CREATE_GROUP,
        OpKind.DELETE_GROUP,
        OpKind.DEACTIVATE_USER,
        OpKind.REACTIVATE_USER,
        OpKind.ADD_MEMBER,
        OpKind.REMOVE_MEMBER,
        OpKind.ENROLL,
        OpKind.UNENROLL,
    }
    assert {kind: caps.batch_size(kind) for kind in OpKind} == {
        kind: 50 if kind in rows else 1000 if kind in lists else 1 for kind in OpKind
    }
    branches = frozenset({GroupKind.ORG_UNIT})
    assert caps.create_carries == CreateCarries(member_kinds=branches, members=1)
    assert caps.moves_members == branches
    assert (caps.upserts_users, caps.status_in_user_rows) == (True, True)
    assert caps.natural_keys == ("username", "email")
    assert caps.groups_have_codes is True
    assert DoceboConnector.kind == "docebo"


def test_the_registry_builds_docebo(
    sim: DoceboSimulator, clock: FakeClock, target: Callable[..., DoceboTarget]
) -> None:
    ctx = ConnectorContext(clock=clock, transport=sim.transport())
    connector = build_connector(target(), ctx)
    assert isinstance(connector, DoceboConnector)
    connector.close()
    assert {k.kind for k in KINDS} == {"coursepath", "docebo", "dokeos", "litmos"}
    with pytest.raises(ConfigError, match="no connector for kind 'nope'"):
        build_connector(SimpleNamespace(kind="nope", name="x"), ctx)  # type: ignore[arg-type]


def test_check_is_one_authenticated_read(sim: DoceboSimulator, connector: DoceboConnector) -> None:
    connector.check()
    assert [(r.method, r.path) for r in sim.requests] == [("POST", "/oauth2/token"), ("GET", USERS)]
    assert sim.requests[1].query["page_size"] == ("1",)


def test_check_with_bad_credentials_is_fatal(make_connector: ConnectorMaker) -> None:
    with pytest.raises(FatalError, match="Invalid username and password combination"):
        make_connector(password="wrong-password").check()


def test_a_refused_token_request_is_fatal_even_mid_fetch(
    sim: DoceboSimulator, connector: DoceboConnector
) -> None:
    sim.fail_next(1, 404, path_prefix="/oauth2/token")
    with pytest.raises(FatalError, match="POST /oauth2/token: HTTP 404"):
        list(connector.fetch())


def test_check_refused_is_fatal(sim: DoceboSimulator, connector: DoceboConnector) -> None:
    sim.fail_next(1, 404, path_prefix=USERS)
    with pytest.raises(FatalError, match="HTTP 404"):
        connector.check()


def test_the_token_is_renewed_before_it_expires(
    sim: DoceboSimulator, connector: DoceboConnector, clock: FakeClock
) -> None:
    connector.check()
    clock.advance(3000)
    connector.check()
    clock.advance(500)  # 3500 s: past 90 % of the token's 3600 s
    connector.check()
    assert [r.path for r in sim.requests] == ["/oauth2/token", USERS, USERS, "/oauth2/token", USERS]
    assert all(r.status == 200 for r in sim.requests)


def test_a_revoked_token_is_answered_by_one_reauthentication(
    sim: DoceboSimulator, connector: DoceboConnector
) -> None:
    connector.check()
    sim.state.tokens.clear()
    connector.check()
    assert [(r.path, r.status) for r in sim.requests][2:] == [
        (USERS, 401),
        ("/oauth2/token", 200),
        (USERS, 200),
    ]


def test_429_and_503_are_retried_to_success(
    sim: DoceboSimulator, make_connector: ConnectorMaker, clock: FakeClock, refs: Refs
) -> None:
    expected = seed_platform(sim)
    sim.fail_next(2, 429, retry_after=3)
    sim.fail_next(2, 503, path_prefix="/manage/v1/orgchart")
    connector = make_connector(page_size=3)
    assert set(records_of(connector.fetch())) == expected
    sim.fail_next(1, 503, path_prefix="/manage/v1/user/batch")
    sim.fail_next(1, 409, path_prefix="/manage/v1/user/batch")
    assert isinstance(connector.apply([CreateUser(person(1))], refs)[0], Applied)
    assert clock.slept[:2] == [3.0, 3.0]
    assert len(clock.slept) == 6


def test_a_rate_limit_is_waited_out_on_the_clock(
    sim: DoceboSimulator, make_connector: ConnectorMaker, clock: FakeClock
) -> None:
    expected = seed_platform(sim)
    sim.rate_limit(5, 10.0, retry_after=True)
    assert set(records_of(make_connector(page_size=2).fetch())) == expected
    assert clock.slept
    assert sim.violations == []


def run_everything(sim: DoceboSimulator, connector: DoceboConnector, refs: Refs) -> None:
    """Every operation kind once, through one connector."""
    for n, outcome in zip(
        (1, 2), connector.apply([CreateUser(person(1)), CreateUser(person(2))], refs), strict=True
    ):
        refs.users[EmployeeId(f"E{n}")] = outcome.remote_id  # type: ignore[union-attr,assignment]
    for ref, name in ((org("EU"), "Europe"), (grp("s"), "Sales")):
        [made] = connector.apply([CreateGroup(Group(ref, name))], refs)
        refs.groups[ref] = made.remote_id  # type: ignore[union-attr,assignment]
    refs.courses[CourseCode("SEC")] = rid(sim.seed_course("SEC", "Security"))
    e1 = EmployeeId("E1")
    for batch in (
        [UpdateUser(person(1, first_name="A"), ())],
        [DeactivateUser(e1)],
        [ReactivateUser(e1)],
        [UpdateGroup(Group(org("EU"), "EU"), "Europe")],
        [MoveGroup(Group(org("EU"), "EU"), None)],
        [AddMember(org("EU"), e1)],
        [AddMember(grp("s"), e1)],
        [Enroll(e1, CourseCode("SEC"))],
        [Unenroll(e1, CourseCode("SEC"))],
        [RemoveMember(org("EU"), e1)],
        [RemoveMember(grp("s"), e1)],
        [DeleteGroup(org("EU"))],
        [DeleteGroup(grp("s"))],
    ):
        assert all(isinstance(o, Applied) for o in connector.apply(batch, refs)), batch


def test_never_two_calls_at_once(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    run_everything(sim, connector, refs)
    assert sim.violations == []
    assert len(sim.writes) == 16


def test_no_secret_in_any_log_line_or_error(
    sim: DoceboSimulator, make_connector: ConnectorMaker, refs: Refs, secrets: tuple[str, ...]
) -> None:
    errors: list[str] = []
    with capture_logs() as logs:
        connector = make_connector()
        run_everything(sim, connector, refs)
        list(connector.fetch())
        sim.state.tokens.clear()
        sim.fail_next(3, 503)
        connector.check()
        for broken in (
            make_connector(password="wrong-password"),
            make_connector(client_secret="wrong-secret"),
        ):
            try:
                broken.check()
            except FatalError as err:
                errors.append(str(err))
    assert len(errors) == 2
    hidden = {
        *secrets,
        "wrong-password",
        "wrong-secret",
        *sim.state.tokens,
        *sim.state.refresh_tokens,
    }
    texts = [json.dumps(entry, default=str) for entry in logs] + errors
    assert len(logs) > 25
    leaks = [(s, t) for s in hidden for t in texts if s in t]
    assert leaks == []
