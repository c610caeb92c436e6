"""The connector contract, run against every registered LMS kind (`harness.harnesses()`).

A connector passes when it reads every page of every collection, every operation kind
lands in the LMS, 429 and 5xx are retried to success, a stale credential costs exactly one
re-authentication (or, with a static credential, stops the target at once), and a create
or delete sent twice leaves the LMS as one would. Where the LMS's groups are flat
(`harness.flat_groups`), org units have no parent there and none is moved; where they
have names only (`harness.groups_by_name`), each is read as both kinds. An operation the
connector does not list in `capabilities.supports` is never sent (the engine never plans
it): the suite leaves it out and expects the LMS unchanged by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pytest
from harness import Harness, harnesses

from syncd.connectors.base import Connector, CreateCarries
from syncd.errors import FatalError
from syncd.keys import UserKey
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    FieldChange,
    MoveGroup,
    Operation,
    OpKind,
    Outcome,
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
    FetchItem,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    PartRead,
    Person,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteUser,
)
from tests.lms_fixtures import LmsState, Refs

EU, DE = GroupRef(GroupKind.ORG_UNIT, "EU"), GroupRef(GroupKind.ORG_UNIT, "DE")
SALES = GroupRef(GroupKind.GROUP, "sales")


@pytest.fixture(params=harnesses(), ids=lambda named: named[0])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    made: Harness = request.param[1]()
    yield made
    made.close()


def person(n: int, *, username: str | None = None, email: str | None = None) -> Person:
    login = f"p{n}@acme.com"
    return Person(EmployeeId(f"E{n}"), email or login, f"First{n}", f"Last{n}", username or login)


def e(n: int) -> EmployeeId:
    return EmployeeId(f"E{n}")


def supported(connector: Connector, batches: list[list[Operation]]) -> list[list[Operation]]:
    """The batches the engine could plan for this connector."""
    kinds = connector.capabilities.supports
    return [batch for batch in batches if all(op.KIND in kinds for op in batch)]


def applied(connector: Connector, batch: Sequence[Operation], links: Refs) -> list[Outcome]:
    outcomes = connector.apply(batch, links)
    assert all(isinstance(o, Applied) for o in outcomes), (batch, outcomes)
    return outcomes


def created_id(outcome: Outcome) -> RemoteId:
    assert isinstance(outcome, Applied)
    assert outcome.remote_id is not None
    return outcome.remote_id


# --- reads -----------------------------------------------------------------------------------


def seed(harness: Harness) -> set[object]:
    """Nine users, an org tree three deep, two groups, three courses and their links; the
    ids the connector must read back, as (record type, ids...) tuples."""
    users = {n: harness.seed_user(f"u{n}", f"u{n}@acme.com", f"F{n}", f"L{n}") for n in range(9)}
    expected: set[object] = {("user", i) for i in {*users.values(), *harness.api_users()}}
    tree = [
        (EU, None),
        (DE, EU),
        (GroupRef(GroupKind.ORG_UNIT, "BER"), DE),
        (GroupRef(GroupKind.ORG_UNIT, "US"), None),
        (GroupRef(GroupKind.ORG_UNIT, "NY"), GroupRef(GroupKind.ORG_UNIT, "US")),
        (SALES, None),
        (GroupRef(GroupKind.GROUP, "ops"), None),
    ]
    groups: dict[GroupRef, RemoteId] = {}
    for ref, parent in tree:
        groups[ref] = harness.seed_group(ref, f"Name {ref.code}", parent)
        stored_parent = None if harness.flat_groups else parent and groups[parent]
        kinds = tuple(GroupKind) if harness.groups_by_name else (ref.kind,)
        expected |= {("group", kind, groups[ref], stored_parent) for kind in kinds}
        for n in range(len(groups) % 4, 9, 3):
            harness.seed_member(ref, groups[ref], users[n])
            expected |= {("member", kind, groups[ref], users[n]) for kind in kinds}
    for c in range(3):
        course = harness.seed_course(f"C{c}", f"Course {c}")
        expected.add(("course", course))
        for n in range(c, 9, 2):
            harness.seed_enrollment(course, users[n])
            expected.add(("enrollment", course, users[n]))
    return expected


def as_ids(record: object) -> object:
    match record:
        case RemoteUser():
            return ("user", record.remote_id)
        case RemoteGroup():
            return ("group", record.kind, record.remote_id, record.parent_remote_id)
        case RemoteMembership():
            return ("member", record.group_kind, record.group_remote_id, record.user_remote_id)
        case RemoteCourse():
            return ("course", record.remote_id)
        case RemoteEnrollment():
            return ("enrollment", record.course_remote_id, record.user_remote_id)
    raise AssertionError(record)


def records(items: Iterable[FetchItem]) -> list[object]:
    """The records of a fetch as ids, less its `PartRead` marks."""
    return [as_ids(r) for r in items if not isinstance(r, PartRead)]


def test_fetch_walks_all_pages(harness: Harness) -> None:
    expected = seed(harness)
    fetched = records(harness.connect(page_size=2).fetch())
    assert len(fetched) == len(set(fetched))
    assert set(fetched) == expected


PART_OF = {
    RemoteUser: RemotePart.USERS,
    RemoteGroup: RemotePart.GROUPS,
    RemoteMembership: RemotePart.MEMBERSHIPS,
    RemoteCourse: RemotePart.COURSES,
    RemoteEnrollment: RemotePart.ENROLLMENTS,
}


def test_fetch_marks_each_part_read_after_its_last_record(harness: Harness) -> None:
    """A read that breaks off holds back only what depends on the parts it had not read
    whole: each mark must come after every record of its part, once."""
    seed(harness)
    items = list(harness.connect(page_size=2).fetch())
    marks = [i for i, item in enumerate(items) if isinstance(item, PartRead)]
    assert sorted(items[i].part for i in marks) == sorted(RemotePart)  # type: ignore[union-attr]
    for index in marks:
        part = items[index].part  # type: ignore[union-attr]
        assert not any(PART_OF.get(type(r)) is part for r in items[index:])


# --- writes ----------------------------------------------------------------------------------


def test_every_operation_round_trips(harness: Harness) -> None:
    connector, links = harness.connect(), Refs()
    key, login = harness.group_key, harness.login
    ann, p2, p3 = login("ann.lee", "ann@acme.com"), "p2@acme.com", "p3@acme.com"
    for ref, name, parent in ((EU, "Europe", None), (DE, "Germany", EU), (SALES, "Sales", None)):
        [made] = applied(connector, [CreateGroup(Group(ref, name, parent))], links)
        links.groups[ref] = created_id(made)
    made_users = applied(connector, [CreateUser(person(n)) for n in (1, 2, 3)], links)
    links.users.update({e(n): created_id(o) for n, o in zip((1, 2, 3), made_users, strict=True)})
    for code in ("C1", "C2"):
        links.courses[CourseCode(code)] = harness.seed_course(code, f"Course {code}")

    renamed = person(1, username="ann.lee", email="ann@acme.com")
    changes = (
        FieldChange("username", "p1@acme.com", "ann.lee"),
        FieldChange("email", "p1@acme.com", "ann@acme.com"),
    )
    steps: list[list[Operation]] = [
        [UpdateUser(renamed, changes)],
        [AddMember(DE, e(1)), AddMember(DE, e(2))],
        [AddMember(SALES, e(1)), AddMember(SALES, e(3))],
        [
            Enroll(e(1), CourseCode("C1")),
            Enroll(e(2), CourseCode("C1")),
            Enroll(e(3), CourseCode("C2")),
        ],
    ]
    for batch in steps:
        applied(connector, batch, links)
    de, eu, sales = key(DE, "Germany"), key(EU, "Europe"), key(SALES, "Sales")
    assert harness.state() == LmsState(
        users={
            ann: ("ann@acme.com", "First1", "Last1", True),
            p2: ("p2@acme.com", "First2", "Last2", True),
            p3: ("p3@acme.com", "First3", "Last3", True),
        },
        groups={
            eu: ("Europe", None),
            de: ("Germany", None if harness.flat_groups else eu),
            sales: ("Sales", None),
        },
        members=frozenset({(de, ann), (de, p2), (sales, ann), (sales, p3)}),
        enrollments=frozenset({("C1", ann), ("C1", p2), ("C2", p3)}),
    )

    steps = [
        [UpdateGroup(Group(DE, "Deutschland", EU), "Germany")],
        [UpdateGroup(Group(SALES, "Sales EMEA"), "Sales")],
        *([] if harness.flat_groups else [[MoveGroup(Group(DE, "Deutschland"), EU)]]),
        [Unenroll(e(2), CourseCode("C1"))],
        [RemoveMember(DE, e(2)), RemoveMember(SALES, e(3))],
        [DeactivateUser(e(2)), DeactivateUser(e(3))],
        [ReactivateUser(e(3))],
        [DeleteGroup(EU)],
    ]
    for batch in supported(connector, steps):
        applied(connector, batch, links)
    can = connector.capabilities.supports.__contains__
    renamed = can(OpKind.UPDATE_GROUP)
    de_name, sales_name = ("Deutschland", "Sales EMEA") if renamed else ("Germany", "Sales")
    de, sales = key(DE, de_name), key(SALES, sales_name)
    de_parent = None if harness.flat_groups or can(OpKind.MOVE_GROUP) else eu
    kept_eu = {} if can(OpKind.DELETE_GROUP) else {eu: ("Europe", None)}
    state = harness.state()
    assert state.users[p2][3] is False
    assert state.users[p3][3] is True
    assert state.groups == {de: (de_name, de_parent), sales: (sales_name, None)} | kept_eu
    assert state.members == {(de, ann), (sales, ann)}
    kept_p2 = set() if can(OpKind.UNENROLL) else {("C1", p2)}
    assert state.enrollments == {("C1", ann), ("C2", p3)} | kept_p2
    assert harness.violations() == 0


def test_repeated_operations_leave_the_lms_as_one_would(harness: Harness) -> None:
    connector, links = harness.connect(), Refs()
    links.users[e(1)] = harness.seed_user("p1@acme.com", "p1@acme.com", "First1", "Last1")
    links.groups[SALES] = harness.seed_group(SALES, "Sales", None)
    links.courses[CourseCode("C1")] = harness.seed_course("C1", "Course 1")
    before = harness.state()
    batches: list[list[Operation]] = [
        [AddMember(SALES, e(1))],
        [Enroll(e(1), CourseCode("C1"))],
        [Unenroll(e(1), CourseCode("C1"))],
        [RemoveMember(SALES, e(1))],
        [DeleteGroup(SALES)],
    ]
    for batch in supported(connector, batches):
        assert applied(connector, batch, links) == applied(connector, batch, links)
    after = harness.state()
    assert after.users == before.users
    assert after.members == frozenset()
    deletes = OpKind.DELETE_GROUP in connector.capabilities.supports
    assert after.groups == ({} if deletes else before.groups)
    if OpKind.UNENROLL in connector.capabilities.supports:
        assert after.enrollments == frozenset()


def test_a_user_is_deleted_where_the_lms_can(harness: Harness) -> None:
    """With test_every_operation_round_trips, every kind a connector supports is carried
    out: a supported kind the connector has no writer for would be rejected here."""
    connector, links = harness.connect(), Refs()
    if OpKind.DELETE_USER not in connector.capabilities.supports:
        pytest.skip(f"{harness.name} cannot delete an account")
    [made] = applied(connector, [CreateUser(person(1))], links)
    links.users[e(1)] = created_id(made)
    applied(connector, [DeleteUser(e(1))], links)
    assert harness.state().users == {}


def one_of_each_kind() -> list[Operation]:
    """An operation of every kind the engine may send (all but the engine's own Adopt)."""
    sales, de = Group(SALES, "Sales"), Group(DE, "Deutschland", EU)
    ops: list[Operation] = [
        CreateUser(person(1)),
        UpdateUser(person(1), (FieldChange("first_name", "F", "First1"),)),
        DeactivateUser(e(1)),
        ReactivateUser(e(1)),
        DeleteUser(e(1)),
        CreateGroup(sales),
        UpdateGroup(sales, "Old sales"),
        MoveGroup(de, None),
        DeleteGroup(SALES),
        AddMember(SALES, e(1)),
        RemoveMember(SALES, e(1)),
        Enroll(e(1), CourseCode("C1")),
        Unenroll(e(1), CourseCode("C1")),
    ]
    assert {op.KIND for op in ops} == set(OpKind) - {OpKind.ADOPT}
    return ops


def test_what_the_lms_cannot_do_is_refused_and_never_sent(harness: Harness) -> None:
    """The engine plans no kind outside `supports`; sent anyway, each such operation is
    Rejected and nothing reaches the LMS. Adopt is the engine's: Applied, never sent."""
    connector, links = harness.connect(), Refs()
    for op in one_of_each_kind():
        if op.KIND not in connector.capabilities.supports:
            assert [type(o) for o in connector.apply([op, op], links)] == [Rejected, Rejected]
    adopt = Adopt(UserKey(EmployeeId("E1")), RemoteId("5"))
    assert connector.apply([adopt], links) == [Applied(RemoteId("5"))]
    assert connector.apply([], links) == []
    assert harness.served() == []


def test_a_batch_mixing_kinds_is_a_programming_error(harness: Harness) -> None:
    """Only a batch of people, where users are written as rows (`user_rows`), mixes user
    writes; even there a deletion is no row."""
    connector = harness.connect()
    other = DeleteUser(e(1)) if connector.capabilities.user_rows else DeactivateUser(e(1))
    with pytest.raises(TypeError, match="one kind"):
        connector.apply([CreateUser(person(1)), other], Refs())
    assert harness.served() == []


def refused_carries(carries: CreateCarries, rows: bool) -> list[list[Operation]]:
    """Batches whose creates carry what the engine never packs with them for this connector
    (where users are written as rows, a batch of people may hold anyone, in any order)."""
    one, c1 = CreateUser(person(1)), CourseCode("C1")
    batches: list[list[Operation]] = [
        [one, AddMember(EU, e(1), MemberRole.MANAGER)],  # not a learner's membership
        [one, RemoveMember(EU, e(1))],
    ]
    batches += [] if rows else [
        [AddMember(EU, e(1)), one],  # carried before its create
        [one, AddMember(EU, e(2))],  # someone the batch does not create
        [one, AddMember(EU, e(1)), CreateUser(person(2))],
    ]  # fmt: skip
    batches += [
        [one, *(AddMember(GroupRef(GroupKind.ORG_UNIT, f"B{n}"), e(1)) for n in range(9))],
        [one, *(Enroll(e(1), CourseCode(f"C{n}")) for n in range(carries.enrollments + 1))],
    ]
    refs = {GroupKind.ORG_UNIT: EU, GroupKind.GROUP: SALES}
    others = [ref for kind, ref in refs.items() if kind not in carries.member_kinds]
    batches += [[one, AddMember(ref, e(1))] for ref in others]
    return batches + ([] if carries.enrollments else [[one, Enroll(e(1), c1)]])


def test_a_create_carries_nothing_but_what_its_connector_declares(harness: Harness) -> None:
    """The engine packs a create's batch with the new people's learner memberships of the
    declared kinds and their enrollments, within the declared counts (`create_carries`),
    after the creates; any other mix is a programming error, and nothing is sent."""
    connector = harness.connect()
    assert connector.capabilities.create_carries.members <= 8
    capabilities = connector.capabilities
    for batch in refused_carries(capabilities.create_carries, capabilities.user_rows):
        with pytest.raises(TypeError, match="one kind"):
            connector.apply(batch, Refs())
    assert harness.served() == []


def test_a_create_carries_the_new_persons_memberships_and_enrollments(harness: Harness) -> None:
    """Where a user-create request can also place the person (`create_carries`), every
    carried operation gets its own outcome and lands as it would sent alone."""
    connector, links = harness.connect(), Refs()
    carries = connector.capabilities.create_carries
    if not carries:
        pytest.skip(f"{harness.name}: a user create carries nothing")
    links.groups = {EU: harness.seed_group(EU, "Europe", None)}
    links.groups[SALES] = harness.seed_group(SALES, "Sales", None)
    links.courses[CourseCode("C1")] = harness.seed_course("C1", "Course 1")
    refs = {GroupKind.ORG_UNIT: EU, GroupKind.GROUP: SALES}
    carried: list[Operation] = [
        *(AddMember(refs[kind], e(n)) for n in (1, 2) for kind in sorted(carries.member_kinds)),
        *([Enroll(e(n), CourseCode("C1")) for n in (1, 2)] if carries.enrollments else []),
    ]
    batch: list[Operation] = [CreateUser(person(1)), CreateUser(person(2)), *carried]
    outcomes = applied(connector, batch, links)
    assert len(outcomes) == len(batch)
    key, state = harness.group_key, harness.state()
    names = {EU: "Europe", SALES: "Sales"}
    expected = {
        (key(op.group, names[op.group]), f"p{op.employee_id[1:]}@acme.com")
        for op in carried
        if isinstance(op, AddMember)
    }
    assert state.members == frozenset(expected)
    assert len(state.enrollments) == (2 if carries.enrollments else 0)


def test_an_addition_carries_only_the_removals_that_make_it_a_move(harness: Harness) -> None:
    """A member-addition batch may end with removals only where the connector moves that
    kind (`moves_members`), one per person it adds, of the kind added; else TypeError."""
    connector = harness.connect()
    moves = connector.capabilities.moves_members
    add = AddMember(DE, e(1))
    refused: list[list[Operation]] = [
        [RemoveMember(EU, e(1)), add],
        [add, RemoveMember(EU, e(2))],
        [add, RemoveMember(EU, e(1)), RemoveMember(GroupRef(GroupKind.ORG_UNIT, "X"), e(1))],
        [add, RemoveMember(EU, e(1), MemberRole.MANAGER)],
        [add, RemoveMember(SALES, e(1))],
        *([] if GroupKind.ORG_UNIT in moves else [[add, RemoveMember(EU, e(1))]]),
    ]
    for batch in refused:
        with pytest.raises(TypeError, match="one kind"):
            connector.apply(batch, Refs())
    assert harness.served() == []


def test_a_move_lands_as_its_addition_and_removal_would(harness: Harness) -> None:
    connector, links = harness.connect(), Refs()
    if GroupKind.ORG_UNIT not in connector.capabilities.moves_members:
        pytest.skip(f"{harness.name}: org-unit memberships do not move in one request")
    links.groups = {ref: harness.seed_group(ref, ref.code, None) for ref in (EU, DE)}
    links.users[e(1)] = harness.seed_user("p1@acme.com", "p1@acme.com", "First1", "Last1")
    harness.seed_member(EU, links.groups[EU], links.users[e(1)])
    list(connector.fetch())
    assert applied(connector, [AddMember(DE, e(1)), RemoveMember(EU, e(1))], links)
    login = harness.login("p1@acme.com", "p1@acme.com")
    assert harness.state().members == {(harness.group_key(DE, "DE"), login)}


def test_a_group_edit_lands_as_its_additions_and_removals_would(harness: Harness) -> None:
    """Where one request edits a group's members (`edits_group_members`), a batch of the
    group's additions, both roles where the LMS has managers, then its removals, lands as
    the batches apart would."""
    connector, links = harness.connect(), Refs()
    if not connector.capabilities.edits_group_members:
        pytest.skip(f"{harness.name}: a group's members change by separate requests")
    links.groups[EU] = harness.seed_group(EU, "Europe", None)
    for n in (1, 2, 3):
        links.users[e(n)] = harness.seed_user(f"p{n}@acme.com", f"p{n}@acme.com", "F", "L")
    harness.seed_member(EU, links.groups[EU], links.users[e(2)])
    manager = MemberRole.MANAGER in connector.capabilities.member_roles
    batch: list[Operation] = [
        *([AddMember(EU, e(3), MemberRole.MANAGER)] if manager else []),
        AddMember(EU, e(1)),
        RemoveMember(EU, e(2)),
    ]
    assert applied(connector, batch, links)
    login = harness.login("p1@acme.com", "p1@acme.com")
    assert harness.state().members == {(harness.group_key(EU, "Europe"), login)}


def test_creating_the_same_user_twice_leaves_one_user(harness: Harness) -> None:
    connector = harness.connect()
    [first] = applied(connector, [CreateUser(person(1))], Refs())
    [again] = applied(connector, [CreateUser(person(1))], Refs())
    assert created_id(first) == created_id(again)
    assert list(harness.state().users) == ["p1@acme.com"]


def test_a_create_whose_answer_was_lost_leaves_one_user(harness: Harness) -> None:
    connector = harness.connect(lose=harness.create_user_call)
    [outcome] = connector.apply([CreateUser(person(1))], Refs())
    assert isinstance(outcome, Applied)
    assert list(harness.state().users) == ["p1@acme.com"]
    fetched = {r.remote_id for r in connector.fetch() if isinstance(r, RemoteUser)}
    [user_id] = fetched - harness.api_users()
    assert outcome.remote_id == user_id


# --- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_failures_are_retried_to_success(harness: Harness, status: int) -> None:
    expected = seed(harness)
    connector = harness.connect(page_size=3)
    harness.fail_next(2, status)
    assert set(records(connector.fetch())) == expected
    harness.fail_next(2, status)
    assert isinstance(connector.apply([CreateUser(person(1))], Refs())[0], Applied)
    assert harness.clock.slept
    assert sum(1 for _, _, code in harness.served() if code == status) == 4


def test_a_stale_credential_costs_one_reauthentication(harness: Harness) -> None:
    if not harness.reauthenticates:
        pytest.skip("a static credential: covered by test_a_stale_static_credential_is_fatal")
    connector = harness.connect()
    connector.check()
    harness.expire_credentials()
    before = harness.auth_calls()
    connector.check()
    assert harness.auth_calls() == before + 1
    assert [code for _, _, code in harness.served()].count(401) == 1
    harness.expire_credentials()
    assert isinstance(connector.apply([CreateUser(person(1))], Refs())[0], Applied)
    assert [code for _, _, code in harness.served()].count(401) == 2
    assert harness.auth_calls() == before + 2


def test_a_stale_static_credential_is_fatal(harness: Harness) -> None:
    if harness.reauthenticates:
        pytest.skip("a renewable credential: covered by test_a_stale_credential_costs_one_...")
    connector = harness.connect()
    connector.check()
    harness.expire_credentials()
    with pytest.raises(FatalError):
        connector.check()
    with pytest.raises(FatalError):
        connector.apply([CreateUser(person(1))], Refs())
    refusals = [code for _, _, code in harness.served()].count(harness.stale_status)
    assert refusals == 2 * harness.stale_refusals_per_call
    assert harness.auth_calls() == 0
    assert harness.state().users == {}
