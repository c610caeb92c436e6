"""A user create carries the new person's memberships and enrollments where the connector
says one request can (`CreateCarries`), and a membership removal rides with the addition
that makes it a move (`moves_members`): the plan is unchanged, the batches are not."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace

from sqlalchemy import Engine

from syncd.clock import FakeClock
from syncd.connectors.base import NOTHING_LINKED, Capabilities, CreateCarries, Linked, RemoteRefs
from syncd.keys import Links, MembershipKey
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    Enroll,
    Operation,
    OpKind,
    Outcome,
    ReactivateUser,
    Rejected,
    RemoveMember,
    UpdateUser,
)
from syncd.reconcile.apply import Lane, apply_plan
from syncd.reconcile.batching import batches
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.refs import LiveRefs
from syncd.records import (
    CourseCode,
    EmployeeId,
    FetchItem,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Person,
    RemoteId,
)
from syncd.store.db import session_factory
from syncd.store.journal import OpStatus, record_plan, run_operations, start_run
from syncd.store.links import load_links

EU, DE = GroupRef(GroupKind.ORG_UNIT, "EU"), GroupRef(GroupKind.ORG_UNIT, "DE")
SALES = GroupRef(GroupKind.GROUP, "sales")
NOTHING = CreateCarries()
BRANCH_ONLY = CreateCarries(member_kinds=frozenset({GroupKind.ORG_UNIT}), members=1)


def person(n: int) -> Person:
    return Person(EmployeeId(f"E{n}"), f"p{n}@acme.com", "F", "L", f"p{n}@acme.com")


def e(n: int) -> EmployeeId:
    return EmployeeId(f"E{n}")


class Recording:
    """A connector that answers every operation Applied (a create with an id) and keeps
    each batch it was handed."""

    kind = "recording"

    def __init__(self, carries: CreateCarries = NOTHING, batch_size: int = 100) -> None:
        sizes = dict.fromkeys(OpKind, batch_size)
        self.capabilities = Capabilities(batch_sizes=sizes, create_carries=carries)
        self.batches: list[list[Operation]] = []
        self.refuse: set[EmployeeId] = set()

    def check(self) -> None: ...

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        return iter(())

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        self.batches.append(list(batch))
        return [self._answer(op) for op in batch]

    def _answer(self, op: Operation) -> Outcome:
        if isinstance(op, CreateUser):
            return Applied(RemoteId(op.person.employee_id.lower()))
        if isinstance(op, UpdateUser) and op.person.employee_id in self.refuse:
            return Rejected("the user row failed")
        if getattr(op, "employee_id", None) in self.refuse:
            return Rejected("not placed: the user row failed")
        return Applied()

    def close(self) -> None: ...


def layout(ops: Sequence[Operation], connector: Recording) -> list[list[Operation]]:
    return [[op for _, op in batch] for batch in batches(list(enumerate(ops)), connector)]


PLAN: list[Operation] = [
    CreateUser(person(1)),
    CreateUser(person(2)),
    UpdateUser(person(3), ()),
    AddMember(EU, e(1)),
    AddMember(EU, e(3)),
    AddMember(DE, e(2)),
    AddMember(DE, e(1)),  # a second branch for E1: over the one a create carries
    AddMember(SALES, e(1)),  # a config group: not a kind the create carries
    AddMember(EU, e(2), MemberRole.MANAGER),  # not a learner's membership
    Enroll(e(1), CourseCode("SEC-101")),
]


def test_without_carries_no_batch_mixes_kinds() -> None:
    batches = layout(PLAN, Recording())
    assert all(len({op.KIND for op in batch}) == 1 for batch in batches)
    assert len(batches) == 7


def test_a_create_batch_carries_each_new_persons_first_branch_in_plan_order() -> None:
    batches = layout(PLAN, Recording(BRANCH_ONLY))
    assert batches == [
        [CreateUser(person(1)), CreateUser(person(2)), AddMember(EU, e(1)), AddMember(DE, e(2))],
        [UpdateUser(person(3), ())],
        [AddMember(EU, e(3))],
        [AddMember(DE, e(1))],
        [AddMember(SALES, e(1))],
        [AddMember(EU, e(2), MemberRole.MANAGER)],
        [Enroll(e(1), CourseCode("SEC-101"))],
    ]


def test_each_create_batch_carries_only_its_own_peoples_steps() -> None:
    plan = [CreateUser(person(1)), CreateUser(person(2)), AddMember(EU, e(2)), AddMember(EU, e(1))]
    batches = layout(plan, Recording(BRANCH_ONLY, batch_size=1))
    assert batches == [
        [CreateUser(person(1)), AddMember(EU, e(1))],
        [CreateUser(person(2)), AddMember(EU, e(2))],
    ]


def test_enrollments_and_memberships_are_carried_up_to_their_counts() -> None:
    carries = CreateCarries(frozenset({GroupKind.ORG_UNIT, GroupKind.GROUP}), 2, 1)
    plan = [
        CreateUser(person(1)),
        AddMember(EU, e(1)),
        AddMember(SALES, e(1)),
        AddMember(DE, e(1)),
        Enroll(e(1), CourseCode("A")),
        Enroll(e(1), CourseCode("B")),
    ]
    [first, *rest] = layout(plan, Recording(carries))
    assert first == [plan[0], plan[1], plan[2], plan[4]]
    assert rest == [[plan[3]], [plan[5]]]


def test_a_person_not_created_in_this_plan_carries_nothing() -> None:
    plan = [AddMember(EU, e(1)), CreateUser(person(2))]
    assert layout(plan, Recording(BRANCH_ONLY)) == [[plan[0]], [plan[1]]]


def test_carried_steps_are_journaled_and_linked_each_by_its_own_outcome(engine: Engine) -> None:
    clock, session = FakeClock(), session_factory(engine)()
    plan: list[Operation] = [
        CreateUser(person(1)),
        CreateUser(person(2)),
        AddMember(EU, e(1)),
        AddMember(EU, e(2)),
    ]
    run = start_run(session, "lms", dry_run=False, now=clock.now())
    record_plan(session, run, "lms", plan, clock.now())
    session.commit()
    connector = Recording(BRANCH_ONLY)
    connector.refuse = {e(2)}
    refs = LiveRefs(Links(), CourseCodes())
    lane = Lane(session, "lms", run, connector, refs, clock, threading.Event())
    result = apply_plan(lane, list(enumerate(plan)))
    assert connector.batches == [plan]  # one request's worth: two creates, two placements
    statuses = [(entry.kind, entry.status) for entry in run_operations(session, run)]
    assert statuses == [
        (OpKind.CREATE_USER, OpStatus.DONE),
        (OpKind.CREATE_USER, OpStatus.DONE),
        (OpKind.ADD_MEMBER, OpStatus.DONE),
        (OpKind.ADD_MEMBER, OpStatus.FAILED),
    ]
    assert (result.done, result.failed) == (3, 1)
    links = load_links(session, "lms")
    assert MembershipKey(EU, e(1), MemberRole.LEARNER) in links.ids
    assert MembershipKey(EU, e(2), MemberRole.LEARNER) not in links.ids


# --- a removal rides with the addition it makes a move --------------------------------------


def test_a_persons_branch_removal_rides_with_their_branch_addition() -> None:
    connector = Recording()
    connector.capabilities = Capabilities(
        batch_sizes=dict.fromkeys(OpKind, 100), moves_members=frozenset({GroupKind.ORG_UNIT})
    )
    plan: list[Operation] = [
        AddMember(EU, e(1)),
        AddMember(EU, e(2)),
        AddMember(SALES, e(1)),
        AddMember(DE, e(3)),
        RemoveMember(SALES, e(2)),  # a config group: not a kind that moves
        RemoveMember(DE, e(1)),
        RemoveMember(EU, e(4)),  # nobody adds E4 anywhere: stays a removal
        RemoveMember(DE, e(2), MemberRole.MANAGER),  # not a learner's membership
    ]
    assert layout(plan, connector) == [
        [plan[0], plan[1], plan[5]],
        [plan[2]],
        [plan[3]],
        [plan[4]],
        [plan[6]],
        [plan[7]],
    ]


def test_without_moves_removals_keep_their_ownbatches() -> None:
    plan: list[Operation] = [AddMember(EU, e(1)), RemoveMember(DE, e(1))]
    assert layout(plan, Recording()) == [[plan[0]], [plan[1]]]


# --- creates and updates share a batch where the connector upserts -------------------------


def upserting(batch_size: int = 100) -> Recording:
    connector = Recording(BRANCH_ONLY)
    sizes = {**dict.fromkeys(OpKind, 100), OpKind.CREATE_USER: batch_size}
    connector.capabilities = Capabilities(
        batch_sizes=sizes, create_carries=BRANCH_ONLY, upserts_users=True
    )
    return connector


def test_where_the_connector_upserts_creates_and_updates_share_a_batch() -> None:
    batches = layout(PLAN, upserting())
    assert batches[0] == [
        CreateUser(person(1)),
        CreateUser(person(2)),
        UpdateUser(person(3), ()),
        AddMember(EU, e(1)),
        AddMember(DE, e(2)),
    ]
    assert [op.KIND for batch in batches for op in batch].count(OpKind.UPDATE_USER) == 1


def test_a_shared_batch_is_cut_at_the_create_size_and_each_part_carries_its_own() -> None:
    plan: list[Operation] = [
        CreateUser(person(1)),
        UpdateUser(person(3), ()),
        UpdateUser(person(4), ()),
        AddMember(EU, e(1)),
    ]
    assert layout(plan, upserting(batch_size=2)) == [
        [plan[0], plan[1], plan[3]],
        [plan[2]],
    ]


def test_a_shared_batch_is_journaled_and_linked_each_by_its_own_outcome(engine: Engine) -> None:
    clock, session = FakeClock(), session_factory(engine)()
    plan: list[Operation] = [
        CreateUser(person(1)),
        UpdateUser(person(3), ()),
        AddMember(EU, e(1)),
    ]
    run = start_run(session, "lms", dry_run=False, now=clock.now())
    record_plan(session, run, "lms", plan, clock.now())
    session.commit()
    connector = upserting()
    connector.refuse = {e(3)}
    lane = Lane(
        session, "lms", run, connector, LiveRefs(Links(), CourseCodes()), clock, threading.Event()
    )
    result = apply_plan(lane, list(enumerate(plan)))
    assert connector.batches == [plan]  # one request: the create, the update, the placement
    statuses = [(entry.kind, entry.status) for entry in run_operations(session, run)]
    assert statuses == [
        (OpKind.CREATE_USER, OpStatus.DONE),
        (OpKind.UPDATE_USER, OpStatus.FAILED),
        (OpKind.ADD_MEMBER, OpStatus.DONE),
    ]
    assert (result.done, result.failed) == (2, 1)
    assert MembershipKey(EU, e(1), MemberRole.LEARNER) in load_links(session, "lms").ids


def test_removals_go_by_person_across_groups_where_the_connector_removes_so() -> None:
    plan: list[Operation] = [
        AddMember(EU, e(1)),
        AddMember(SALES, e(1)),
        RemoveMember(DE, e(1)),
        RemoveMember(DE, e(2)),
        RemoveMember(SALES, e(1)),
        RemoveMember(SALES, e(3)),
    ]
    assert len(layout(plan, Recording())) == 4  # without it: one batch a group
    connector = Recording(batch_size=3)
    connector.capabilities = Capabilities(
        batch_sizes=dict.fromkeys(OpKind, 3), removes_across_groups=True
    )
    by_person = [[plan[0]], [plan[1]], [plan[2], plan[4], plan[3]], [plan[5]]]
    assert layout(plan, connector) == by_person


def test_where_users_are_rows_a_batch_of_people_takes_every_user_write_and_what_rows_carry() -> (
    None
):
    """`user_rows`: creates, updates and status changes of the plan, and the carried steps
    of every person (existing ones too), go in one batch of people where the first of them
    stands; what a row cannot carry stays in its own kind's batches."""
    connector = Recording(CreateCarries(frozenset({GroupKind.ORG_UNIT}), 1, 1))
    connector.capabilities = replace(connector.capabilities, user_rows=True)
    plan: list[Operation] = [
        CreateGroup(Group(EU, "EU")),
        CreateUser(person(1)),
        UpdateUser(person(3), ()),
        AddMember(EU, e(1)),
        AddMember(EU, e(4)),  # a person with no user write: her row carries it
        AddMember(DE, e(4)),  # over the one membership a row carries
        Enroll(e(1), CourseCode("SEC-101")),
        RemoveMember(DE, e(5)),
        DeactivateUser(e(5)),
    ]
    assert layout(plan, connector) == [
        [CreateGroup(Group(EU, "EU"))],
        [
            CreateUser(person(1)),
            UpdateUser(person(3), ()),
            DeactivateUser(e(5)),
            AddMember(EU, e(1)),
            AddMember(EU, e(4)),
            Enroll(e(1), CourseCode("SEC-101")),
        ],
        [AddMember(DE, e(4))],
        [RemoveMember(DE, e(5))],
    ]


# --- a group's additions and removals share a batch where one request edits them ------------


def group_editing(batch_size: int = 100) -> Recording:
    connector = Recording(batch_size=batch_size)
    connector.capabilities = Capabilities(
        batch_sizes=dict.fromkeys(OpKind, batch_size), edits_group_members=True
    )
    return connector


def test_a_groups_removals_of_every_role_ride_with_its_first_additions() -> None:
    plan: list[Operation] = [
        AddMember(EU, e(9), MemberRole.MANAGER),
        AddMember(DE, e(1)),
        AddMember(EU, e(1)),
        AddMember(EU, e(2)),
        Enroll(e(1), CourseCode("C1")),
        RemoveMember(DE, e(8), MemberRole.MANAGER),
        RemoveMember(EU, e(3)),
        RemoveMember(SALES, e(4)),  # nobody joins Sales: its removal keeps its own batch
    ]
    assert layout(plan, group_editing()) == [
        [plan[0], plan[2], plan[3], plan[6]],  # one group, both roles, its removal after
        [plan[1], plan[5]],
        [plan[4]],
        [plan[7]],
    ]
    assert layout(plan, Recording()) == [  # without it: by role and group, removals apart
        [plan[0]],
        [plan[1]],
        [plan[2], plan[3]],
        [plan[4]],
        [plan[5]],
        [plan[6]],
        [plan[7]],
    ]


def test_a_groups_removals_ride_with_the_first_cut_of_its_additions() -> None:
    plan: list[Operation] = [
        AddMember(EU, e(1)),
        AddMember(EU, e(2)),
        AddMember(EU, e(3)),
        RemoveMember(EU, e(4)),
        RemoveMember(EU, e(5), MemberRole.MANAGER),
        RemoveMember(EU, e(1), MemberRole.MANAGER),  # another role: no clash
    ]
    assert layout(plan, group_editing(batch_size=2)) == [
        [plan[0], plan[1], plan[3], plan[4], plan[5]],
        [plan[2]],
    ]


def test_a_removal_of_a_membership_the_plan_also_adds_stays_apart() -> None:
    plan: list[Operation] = [AddMember(EU, e(1)), RemoveMember(EU, e(1)), RemoveMember(EU, e(2))]
    assert layout(plan, group_editing()) == [[plan[0], plan[2]], [plan[1]]]


def test_a_group_edit_is_journaled_each_operation_in_its_own_place(engine: Engine) -> None:
    clock, session = FakeClock(), session_factory(engine)()
    plan: list[Operation] = [
        AddMember(EU, e(1)),
        Enroll(e(1), CourseCode("C1")),
        RemoveMember(EU, e(2)),
    ]
    run = start_run(session, "lms", dry_run=False, now=clock.now())
    record_plan(session, run, "lms", plan, clock.now())
    session.commit()
    connector = group_editing()
    lane = Lane(
        session, "lms", run, connector, LiveRefs(Links(), CourseCodes()), clock, threading.Event()
    )
    result = apply_plan(lane, list(enumerate(plan)))
    assert connector.batches == [[plan[0], plan[2]], [plan[1]]]
    entries = run_operations(session, run)
    assert [(entry.kind, entry.status) for entry in entries] == [
        (OpKind.ADD_MEMBER, OpStatus.DONE),
        (OpKind.ENROLL, OpStatus.DONE),
        (OpKind.REMOVE_MEMBER, OpStatus.DONE),
    ]
    assert result.done == 3


# --- (de)activations join the user rows where those rows set the status --------------------


def status_rows(rows: int = 100, ids: int = 1000) -> Recording:
    connector = Recording()
    sizes = {**dict.fromkeys(OpKind, ids), OpKind.CREATE_USER: rows, OpKind.UPDATE_USER: rows}
    connector.capabilities = Capabilities(
        batch_sizes=sizes, upserts_users=True, status_in_user_rows=True
    )
    return connector


def test_status_changes_join_the_user_rows_when_that_costs_no_more_requests() -> None:
    plan: list[Operation] = [
        CreateUser(person(1)),
        UpdateUser(person(2), ()),
        ReactivateUser(e(3)),
        ReactivateUser(e(2)),  # E2 has a row already: apart
        AddMember(EU, e(1)),
        RemoveMember(EU, e(4)),
        DeactivateUser(e(4)),  # E4 has another step: stays last
        DeactivateUser(e(5)),
    ]
    assert layout(plan, status_rows()) == [
        [plan[0], plan[1], plan[2], plan[7]],
        [plan[3]],
        [plan[4]],
        [plan[5]],
        [plan[6]],
    ]


def test_status_changes_stay_apart_where_the_rows_would_take_more_requests() -> None:
    plan: list[Operation] = [
        CreateUser(person(1)),
        CreateUser(person(2)),
        DeactivateUser(e(4)),
        DeactivateUser(e(5)),
    ]
    assert layout(plan, status_rows(rows=2)) == [[plan[0], plan[1]], [plan[2], plan[3]]]
    assert layout(plan, status_rows(rows=3)) == [[plan[0], plan[1], plan[2]], [plan[3]]]


def test_without_user_rows_or_the_capability_status_changes_keep_their_calls() -> None:
    alone: list[Operation] = [ReactivateUser(e(3)), DeactivateUser(e(4))]
    assert layout(alone, status_rows()) == [[alone[0]], [alone[1]]]
    plan: list[Operation] = [CreateUser(person(1)), DeactivateUser(e(4))]
    assert layout(plan, upserting()) == [[plan[0]], [plan[1]]]
