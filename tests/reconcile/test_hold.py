"""What a read that broke off holds back: only what depends on the parts it did not read
whole, and whatever needs an object whose creation was held."""

from __future__ import annotations

from syncd.keys import GroupKey, Links, MembershipKey, UserKey
from syncd.operations import OpKind
from syncd.reconcile.diff import DiffPolicy, Plan, diff
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    Group,
    GroupKind,
    GroupRef,
    Membership,
    Person,
    RemoteCourse,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemotePart,
    RemoteState,
    RemoteUser,
)

SALES = GroupRef(GroupKind.ORG_UNIT, "SAL")
EMEA = GroupRef(GroupKind.ORG_UNIT, "EMEA")
SEC = CourseCode("SEC-101")
ALL_BUT = frozenset(RemotePart).difference


def person(n: int, *, active: bool = True) -> Person:
    return Person(EmployeeId(f"E{n}"), f"p{n}@acme.test", "P", str(n), f"p{n}", active)


def account(n: int) -> RemoteUser:
    return RemoteUser(RemoteId(f"u{n}"), f"p{n}", f"p{n}@acme.test", "P", str(n), True)


def world() -> tuple[DesiredState, RemoteState, Links]:
    """E1 and E2 are in the LMS and in Sales; HR hires E3 into a new unit EMEA (a child of
    Sales), enrolls all three in SEC-101, and lets E2 go."""
    people = [person(1), person(2, active=False), person(3)]
    desired = DesiredState(
        people={p.employee_id: p for p in people},
        groups={SALES: Group(SALES, "Sales"), EMEA: Group(EMEA, "EMEA", SALES)},
        memberships=frozenset(
            {Membership(SALES, EmployeeId("E1")), Membership(EMEA, EmployeeId("E3"))}
        ),
        enrollments={
            (p.employee_id, SEC): Enrollment(p.employee_id, SEC) for p in people if p.active
        },
    )
    remote = RemoteState(
        users=(account(1), account(2)),
        groups=(RemoteGroup(RemoteId("g1"), GroupKind.ORG_UNIT, "Sales", "SAL"),),
        memberships=(RemoteMembership(GroupKind.ORG_UNIT, RemoteId("g1"), RemoteId("u1")),),
        courses=(RemoteCourse(RemoteId("c1"), SEC, "Security"),),
    )
    links = Links(
        {
            UserKey(EmployeeId("E1")): RemoteId("u1"),
            UserKey(EmployeeId("E2")): RemoteId("u2"),
            GroupKey(SALES): RemoteId("g1"),
            MembershipKey(SALES, EmployeeId("E1")): RemoteId("g1/u1"),
        }
    )
    return desired, remote, links


def plan_after(parts_read: frozenset[RemotePart]) -> Plan:
    desired, remote, links = world()
    broken = RemoteState(
        remote.users,
        remote.groups,
        remote.memberships,
        remote.courses,
        complete=False,
        parts_read=parts_read,
    )
    return diff(desired, broken, links, DiffPolicy())


def keys(ops: tuple[object, ...] | list[object]) -> list[str]:
    return [f"{op.KIND.value} {op.key}" for op in ops]  # type: ignore[attr-defined]


def test_a_complete_read_holds_nothing_back() -> None:
    desired, remote, links = world()
    plan = diff(desired, remote, links, DiffPolicy())
    assert plan.held == ()
    assert {OpKind.CREATE_USER, OpKind.ENROLL, OpKind.DEACTIVATE_USER} <= {o.KIND for o in plan}


def test_unread_enrollments_hold_back_only_the_enrollments() -> None:
    plan = plan_after(ALL_BUT({RemotePart.ENROLLMENTS}))
    assert keys(plan) == [
        "create_group org_unit:EMEA",
        "create_user E3",
        "add_member org_unit:EMEA/E3",
        "deactivate_user E2",
    ]
    assert keys(plan.held) == ["enroll E1/SEC-101", "enroll E3/SEC-101"]


def test_what_needs_a_held_creation_is_held_too() -> None:
    plan = plan_after(ALL_BUT({RemotePart.GROUPS}))
    assert "create_group org_unit:EMEA" in keys(plan.held)
    assert "add_member org_unit:EMEA/E3" in keys(plan.held)  # its team is not created
    assert "create_user E3" in keys(plan)  # users were read whole
    assert "enroll E3/SEC-101" in keys(plan)


def test_a_held_account_holds_back_its_memberships_and_enrollments() -> None:
    plan = plan_after(ALL_BUT({RemotePart.USERS}))
    assert keys(plan.held) == [
        "create_user E3",
        "add_member org_unit:EMEA/E3",
        "enroll E3/SEC-101",
        "deactivate_user E2",
    ]
    assert "enroll E1/SEC-101" in keys(plan)


def test_a_read_that_broke_off_at_once_holds_every_creation_and_removal() -> None:
    plan = plan_after(frozenset())
    held = {op.KIND for op in plan.held}
    assert {OpKind.CREATE_USER, OpKind.CREATE_GROUP, OpKind.DEACTIVATE_USER} <= held
    assert {OpKind.ADD_MEMBER, OpKind.ENROLL} <= held
    assert list(plan) == []
