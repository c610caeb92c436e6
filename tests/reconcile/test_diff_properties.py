"""Properties of the pure core: a plan applied converges, the diff of a synced state is empty,
plans are deterministic, and dependencies come before what depends on them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.operations import CreateGroup, MoveGroup, Operation, OpKind
from syncd.reconcile.diff import DiffPolicy, diff
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    Group,
    GroupKind,
    GroupRef,
    Membership,
    OrgUnitCode,
    Person,
    RemoteCourse,
    RemoteId,
)
from tests.reconcile.model import ModelLms, mismatches

COURSES = tuple(RemoteCourse(RemoteId(f"c{i}"), f"C{i}", f"Course {i}") for i in range(3))
UNITS = [f"U{i}" for i in range(5)]
POLICY = DiffPolicy()
NAMES = st.sampled_from(["Ada", "Grace", "Linus", "Barbara", "Ken"])


@st.composite
def desired_states(draw: st.DrawFn) -> DesiredState:
    parents = {u: draw(st.sampled_from([None, *UNITS[:i]])) for i, u in enumerate(UNITS)}
    units = {
        GroupRef(GroupKind.ORG_UNIT, u): Group(
            GroupRef(GroupKind.ORG_UNIT, u),
            draw(NAMES),
            GroupRef(GroupKind.ORG_UNIT, p) if p else None,
        )
        for u, p in parents.items()
    }
    config = {
        GroupRef(GroupKind.GROUP, g): Group(GroupRef(GroupKind.GROUP, g), g)
        for g in ("all", "some")
    }
    people = {}
    for n in draw(st.sets(st.integers(1, 9), max_size=7)):
        emp = EmployeeId(f"E{n}")
        people[emp] = Person(
            emp,
            f"p{n}@x.test",
            draw(NAMES),
            draw(NAMES),
            f"p{n}@x.test",
            draw(st.booleans()),
            OrgUnitCode(draw(st.sampled_from(UNITS))),
        )
    members = {
        Membership(GroupRef(GroupKind.ORG_UNIT, p.org_unit or ""), e) for e, p in people.items()
    }
    members |= {Membership(GroupRef(GroupKind.GROUP, "all"), e) for e in people}
    members |= {
        Membership(GroupRef(GroupKind.GROUP, "some"), e) for e in people if draw(st.booleans())
    }
    enrollments = {
        (e, CourseCode(c.code)): Enrollment(e, CourseCode(c.code))
        for e in people
        for c in COURSES
        if draw(st.booleans())
    }
    return DesiredState(people, {**units, **config}, frozenset(members), enrollments)


def cycle(lms: ModelLms, desired: DesiredState) -> list[Operation]:
    plan = diff(desired, lms.state(), lms.known_links(), POLICY)
    for op in plan:
        lms.apply(op)
    return plan


@settings(max_examples=150, deadline=None)
@given(desired_states(), desired_states())
def test_one_cycle_converges_from_any_earlier_state(
    before: DesiredState, after: DesiredState
) -> None:
    lms = ModelLms(COURSES)
    cycle(lms, before)
    cycle(lms, after)
    assert mismatches(lms, after) == []
    assert diff(after, lms.state(), lms.known_links(), POLICY) == []


@settings(max_examples=100, deadline=None)
@given(desired_states())
def test_the_diff_of_a_synced_state_is_empty(desired: DesiredState) -> None:
    lms = ModelLms(COURSES)
    cycle(lms, desired)
    assert cycle(lms, desired) == []


@settings(max_examples=100, deadline=None)
@given(desired_states(), desired_states())
def test_plans_are_deterministic(before: DesiredState, after: DesiredState) -> None:
    lms = ModelLms(COURSES)
    cycle(lms, before)
    state, links = lms.state(), lms.known_links()
    shuffled = type(state)(
        state.users[::-1],
        state.groups[::-1],
        state.memberships[::-1],
        state.courses,
        state.enrollments[::-1],
    )
    assert diff(after, state, links, POLICY) == diff(after, shuffled, links, POLICY)


@settings(max_examples=150, deadline=None)
@given(desired_states(), desired_states())
def test_dependencies_come_first(before: DesiredState, after: DesiredState) -> None:
    lms = ModelLms(COURSES)
    cycle(lms, before)
    plan = diff(after, lms.state(), lms.known_links(), POLICY)
    phases = [list(OpKind).index(op.KIND) for op in plan]
    assert phases == sorted(phases)  # creates and adds before removals, groups before users
    placed: set[GroupRef] = {ref for ref in after.groups if not _created(plan, ref)}
    for op in plan:
        if isinstance(op, CreateGroup | MoveGroup) and op.group.parent is not None:
            assert op.group.parent in placed or not _created(plan, op.group.parent)
        if isinstance(op, CreateGroup):
            placed.add(op.group.ref)


def _created(plan: list[Operation], ref: GroupRef) -> bool:
    return any(isinstance(op, CreateGroup) and op.group.ref == ref for op in plan)
