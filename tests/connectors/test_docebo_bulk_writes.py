"""The Docebo connector at the API's minimum: a new user's row carries their branch
(`branch_code`), a branch move is one `move_to_branch` per destination where that loses
nothing, and each list-taking write carries its endpoint's 1,000 ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from syncd.connectors.docebo import DoceboConnector
from syncd.connectors.docebo.moves import BranchCounts
from syncd.operations import (
    AddMember,
    Applied,
    CreateUser,
    Enroll,
    Operation,
    Rejected,
    RemoveMember,
)
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, Person, RemoteId
from syncd.sandbox import DoceboSimulator
from tests.lms_fixtures import Refs

ConnectorMaker = Callable[..., DoceboConnector]
BATCH = "/manage/v1/user/batch"
MOVE = "/manage/v1/user/move_to_branch"
ASSIGN = "/manage/v1/orgchart/assign_users"
REMOVE = "/manage/v1/user/remove_from_branch"
# A user batch's options where the target keeps `notify` off (the default).
QUIET = {"update_user_info": True, "send_notification_email": False}
EU, US, UK = (GroupRef(GroupKind.ORG_UNIT, code) for code in ("EU", "US", "UK"))


def person(n: int) -> Person:
    login = f"p{n}@acme.com"
    return Person(EmployeeId(f"E{n}"), login, f"F{n}", f"L{n}", login)


def e(n: int) -> EmployeeId:
    return EmployeeId(f"E{n}")


def bodies(sim: DoceboSimulator, method: str, path: str) -> list[Any]:
    return [r.body for r in sim.requests if (r.method, r.path) == (method, path)]


def writes(sim: DoceboSimulator) -> list[tuple[str, str]]:
    return [
        (r.method, r.path) for r in sim.requests if r.method != "GET" and "oauth2" not in r.path
    ]


def branches(sim: DoceboSimulator, refs: Refs, *refs_: GroupRef) -> None:
    for ref in refs_:
        refs.groups[ref] = RemoteId(str(sim.seed_branch(ref.code, ref.code)))


# --- a user create carries the person's branch ---------------------------------------------


def test_a_new_users_row_carries_their_branch_code(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    branches(sim, refs, EU)
    batch: list[Operation] = [CreateUser(person(1)), CreateUser(person(2))]
    batch += [AddMember(EU, e(1)), AddMember(EU, e(2))]
    outcomes = make_connector().apply(batch, refs)
    assert [type(o) for o in outcomes] == [Applied] * 4
    assert outcomes[2:] == [Applied(), Applied()]
    [body] = bodies(sim, "POST", BATCH)
    assert [item["branch_code"] for item in body["items"]] == ["EU", "EU"]
    assert body["options"] == {**QUIET, "branch_option": "existing"}
    assert writes(sim) == [("POST", BATCH)]  # no assign_users
    assert sim.snapshot().branch_members == {("EU", "p1@acme.com"), ("EU", "p2@acme.com")}


def test_a_create_carrying_nothing_sends_no_branch_option(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    make_connector().apply([CreateUser(person(1))], Refs())
    [body] = bodies(sim, "POST", BATCH)
    assert body["options"] == QUIET
    assert "branch_code" not in body["items"][0]


def test_a_branch_not_linked_yet_refuses_the_placement_and_creates_the_user(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    outcomes = make_connector().apply([CreateUser(person(1)), AddMember(EU, e(1))], Refs())
    assert isinstance(outcomes[0], Applied)
    assert outcomes[1] == Rejected("no group linked for org_unit:EU")
    [body] = bodies(sim, "POST", BATCH)
    assert "branch_code" not in body["items"][0]
    assert "branch_option" not in body["options"]


def test_a_branch_gone_from_docebo_fails_the_row_and_its_placement_loudly(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    refs.groups[EU] = RemoteId("77")  # linked, but no branch has that code any more
    outcomes = make_connector().apply([CreateUser(person(1)), AddMember(EU, e(1))], refs)
    assert outcomes == [
        Rejected("Branch not found: EU"),
        Rejected("not placed: the user row failed: Branch not found: EU"),
    ]
    assert sim.snapshot().users == {}


# --- a move is one call per destination ----------------------------------------------------


def moved_world(sim: DoceboSimulator, refs: Refs) -> dict[int, int]:
    """p1 and p2 in US only, p3 in US and (by hand) UK; everyone to EU."""
    branches(sim, refs, EU, US, UK)
    users = {n: sim.seed_user(f"p{n}@acme.com", f"p{n}@acme.com", "F", "L") for n in (1, 2, 3)}
    refs.users.update({e(n): RemoteId(str(i)) for n, i in users.items()})
    for n in (1, 2, 3):
        sim.assign_branch(int(refs.groups[US]), users[n])
    sim.assign_branch(int(refs.groups[UK]), users[3])
    return users


def test_people_in_one_branch_move_in_one_call_per_destination(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    users = moved_world(sim, refs)
    connector = make_connector()
    list(connector.fetch())  # what the platform holds: who sits in how many branches
    sim.requests.clear()
    batch: list[Operation] = [AddMember(EU, e(n)) for n in (1, 2, 3)]
    batch += [RemoveMember(US, e(n)) for n in (1, 2, 3)]
    assert connector.apply(batch, refs) == [Applied()] * 6
    assert bodies(sim, "PUT", MOVE) == [
        {"user_ids": [users[1], users[2]], "branch_ids": [int(refs.groups[EU])]}
    ]
    # p3 also sits in UK, which syncd does not manage: a move would take them out of it
    assert bodies(sim, "POST", ASSIGN) == [
        {"id_org": int(refs.groups[EU]), "id_users": str(users[3])}
    ]
    assert bodies(sim, "PUT", REMOVE) == [
        {"user_ids": [users[3]], "branch_ids": [int(refs.groups[US])]}
    ]
    assert sim.snapshot().branch_members == {
        ("EU", "p1@acme.com"),
        ("EU", "p2@acme.com"),
        ("EU", "p3@acme.com"),
        ("UK", "p3@acme.com"),
    }


def test_without_a_read_nobody_is_moved(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    moved_world(sim, refs)
    connector = make_connector()
    assert connector.apply([AddMember(EU, e(1)), RemoveMember(US, e(1))], refs) == [Applied()] * 2
    assert writes(sim) == [("POST", ASSIGN), ("PUT", REMOVE)]


def test_a_refused_move_refuses_both_operations(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    moved_world(sim, refs)
    connector = make_connector()
    list(connector.fetch())
    sim.fail_next(1, 400, path_prefix=MOVE)
    outcomes = connector.apply([AddMember(EU, e(1)), RemoveMember(US, e(1))], refs)
    assert [type(o) for o in outcomes] == [Rejected, Rejected]
    assert sim.snapshot().branch_members >= {("US", "p1@acme.com")}


# --- 1,000 ids a call ----------------------------------------------------------------------


def test_a_thousand_enrollments_of_a_course_are_one_call(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    connector = make_connector()
    assert connector.capabilities.batch_size(Enroll.KIND) == 1000
    refs = Refs()
    refs.courses[CourseCode("C1")] = RemoteId(str(sim.seed_course("C1", "C1")))
    for n in range(1000):
        refs.users[e(n)] = RemoteId(str(sim.seed_user(f"u{n}", f"u{n}@acme.com", "F", "L")))
    outcomes = connector.apply([Enroll(e(n), CourseCode("C1")) for n in range(1000)], refs)
    assert outcomes == [Applied()] * 1000
    assert writes(sim) == [("POST", "/learn/v1/enrollments")]


def test_branch_counts_tell_one_branch_from_several_for_any_id() -> None:
    counts = BranchCounts()
    for user_id in ("7", "7", "8", str(1 << 40), "-3", "x"):
        counts.see(RemoteId(user_id))
    assert [counts.only_one(RemoteId(i)) for i in ("7", "8", "9", str(1 << 40), "-3")] == [
        False,
        True,
        False,
        True,
        False,
    ]
    counts.reset()
    assert not counts.only_one(RemoteId("8"))


def test_a_fetch_reads_each_branchs_own_users_once(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    """The tree in one flattened listing, then each branch's direct users (with child
    branches' users left out: `only_first_level=1`), one request per branch."""
    refs = Refs()
    moved_world(sim, refs)
    list(make_connector().fetch())
    user_lists = [r for r in sim.requests if r.path.endswith("/users")]
    assert sorted(r.path for r in user_lists) == sorted(
        f"/manage/v1/orgchart/{refs.groups[ref]}/users" for ref in (EU, US, UK)
    )
    assert all(r.query["only_first_level"] == ("1",) for r in user_lists)
    assert len([r for r in sim.requests if r.path == "/manage/v1/orgchart"]) == 1
