"""`on_leave` in the pure core: which leavers the diff deletes, how safety counts them,
and what an applied deletion makes the links (store, both backends) and the live refs forget."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import Engine

from syncd.config import SafetyConfig, parse_limit
from syncd.errors import PlanTooDestructiveError
from syncd.keys import EnrollmentKey, GroupKey, Links, MembershipKey, ObjectKey, UserKey
from syncd.operations import DeactivateUser, DeleteUser, OpKind, UpdateUser
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import DiffPolicy, diff
from syncd.reconcile.refs import LiveRefs
from syncd.reconcile.safety import Managed, check_safety
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    EnrollmentStatus,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    Person,
    RemoteCourse,
    RemoteEnrollment,
    RemoteId,
    RemoteState,
    RemoteUser,
)
from syncd.store import Session
from syncd.store.db import session_factory
from syncd.store.links import LinkChanges, drop_links_of_user, load_links, write_links

DELETE = DiffPolicy(on_leave="delete")
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
STAFF = GroupRef(GroupKind.GROUP, "staff")


def put_link(
    session: Session, target: str, key: ObjectKey, remote_id: str, *, origin: str, now: dt.datetime
) -> None:
    changes = LinkChanges()
    changes.put(key, RemoteId(remote_id), origin=origin)
    write_links(session, target, changes, now)


def user(employee_id: str) -> UserKey:
    return UserKey(EmployeeId(employee_id))


def person(n: int, *, active: bool = True) -> Person:
    email = f"p{n}@acme.com"
    return Person(EmployeeId(f"E{n}"), email, "F", "L", email, active=active)


def account(n: int, *, active: bool = True) -> RemoteUser:
    email = f"p{n}@acme.com"
    return RemoteUser(RemoteId(str(n)), email, email, "F", "L", active)


def desired(*people: Person) -> DesiredState:
    return DesiredState({p.employee_id: p for p in people}, {}, frozenset(), {})


def links(*numbers: int, adopted: tuple[int, ...] = ()) -> Links:
    users: dict[ObjectKey, RemoteId] = {user(f"E{n}"): RemoteId(str(n)) for n in numbers}
    return Links(users, frozenset(user(f"E{n}") for n in adopted))


def plan(want: DesiredState, *accounts: RemoteUser, have: Links, policy: DiffPolicy) -> list[str]:
    ops = diff(want, RemoteState(users=accounts), have, policy)
    return [f"{op.KIND.value} {op.key}" for op in ops]


@pytest.mark.parametrize("remote_active", [True, False])
def test_a_created_leaver_is_deleted_whatever_its_status(remote_active: bool) -> None:
    want = desired(person(1, active=False))
    got = plan(want, account(1, active=remote_active), have=links(1), policy=DELETE)
    assert got == ["delete_user E1"]


def test_an_adopted_leaver_is_deactivated_once() -> None:
    want = desired(person(1, active=False))
    have = links(1, adopted=(1,))
    assert plan(want, account(1), have=have, policy=DELETE) == ["deactivate_user E1"]
    assert plan(want, account(1, active=False), have=have, policy=DELETE) == []


def test_people_gone_from_hr_are_deleted_if_created_else_deactivated() -> None:
    accounts = (account(1), account(2), account(3, active=False), account(4, active=False))
    got = plan(desired(), *accounts, have=links(1, 2, 3, 4, adopted=(2, 4)), policy=DELETE)
    assert got == ["deactivate_user E2", "delete_user E1", "delete_user E3"]


def test_the_default_policy_deactivates() -> None:
    want = desired(person(1, active=False))
    assert DiffPolicy().on_leave == "deactivate"
    assert plan(want, account(1), have=links(1), policy=DiffPolicy()) == ["deactivate_user E1"]
    assert plan(desired(), account(1), have=links(1), policy=DiffPolicy()) == ["deactivate_user E1"]


def test_a_deleted_leaver_gets_no_update_and_loses_nothing_else_first() -> None:
    leaver = replace(person(1, active=False), first_name="Changed")
    emp, sec = leaver.employee_id, CourseCode("SEC")
    want = DesiredState(
        {emp: leaver}, {}, frozenset({Membership(STAFF, emp)}), {(emp, sec): Enrollment(emp, sec)}
    )
    remote = RemoteState(
        users=(account(1),),
        courses=(RemoteCourse(RemoteId("9"), "SEC", "Security"),),
        enrollments=(RemoteEnrollment(RemoteId("9"), RemoteId("1"), EnrollmentStatus.ENROLLED),),
    )
    managed = Links({user("E1"): RemoteId("1"), EnrollmentKey(emp, sec): RemoteId("9/1")})
    ops = diff(want, remote, managed, DELETE)
    assert ops == [DeleteUser(EmployeeId("E1"))]
    assert not any(isinstance(op, UpdateUser) for op in ops)


def test_no_deletion_after_an_incomplete_fetch() -> None:
    want = desired(person(1, active=False))
    remote = RemoteState(users=(account(1),), complete=False)
    assert diff(want, remote, links(1), DELETE) == []


def test_a_connector_that_cannot_delete_deactivates_instead() -> None:
    policy = replace(DELETE, supports=frozenset(OpKind) - {OpKind.DELETE_USER})
    want = desired(person(1, active=False))
    assert plan(want, account(1), have=links(1), policy=policy) == ["deactivate_user E1"]


# --- safety --------------------------------------------------------------------------------


def safety(limit: str) -> SafetyConfig:
    return SafetyConfig(max_deactivate=parse_limit(limit))


def test_deletions_count_with_deactivations_against_max_deactivate() -> None:
    ops = [DeleteUser(EmployeeId("E1")), DeactivateUser(EmployeeId("E2"))]
    managed = Managed(users=10, groups=0, memberships=0, enrollments=0)
    check_safety(ops, managed, safety("2"))
    with pytest.raises(PlanTooDestructiveError) as err:
        check_safety([*ops, DeleteUser(EmployeeId("E3"))], managed, safety("2"))
    assert str(err.value).startswith(
        "the plan would delete or deactivate 3 of 10 managed users, above the limit "
        "safety.max_deactivate = 2 (at most 2)"
    )


def test_the_message_without_deletions_is_unchanged() -> None:
    ops = [DeactivateUser(EmployeeId(f"E{n}")) for n in range(3)]
    managed = Managed(users=10, groups=0, memberships=0, enrollments=0)
    with pytest.raises(PlanTooDestructiveError, match=r"^the plan would deactivate 3 of 10"):
        check_safety(ops, managed, safety("2"))


# --- what a deletion makes syncd forget ----------------------------------------------------

ENG = GroupRef(GroupKind.ORG_UNIT, "ENG")
SEC_101 = CourseCode("SEC-101")
OWNED: list[ObjectKey] = [
    user("E_1"),
    MembershipKey(STAFF, EmployeeId("E_1")),
    MembershipKey(ENG, EmployeeId("E_1"), MemberRole.MANAGER),
    EnrollmentKey(EmployeeId("E_1"), SEC_101),
]
KEPT: list[ObjectKey] = [
    user("EX1"),  # `_` is not a wildcard
    user("E_10"),
    MembershipKey(STAFF, EmployeeId("EX1")),
    MembershipKey(STAFF, EmployeeId("E_10")),
    MembershipKey(STAFF, EmployeeId("X/E_1")),  # reads `group:staff/X/E_1`: someone else's
    EnrollmentKey(EmployeeId("EX1"), SEC_101),
    EnrollmentKey(EmployeeId("E_10"), SEC_101),
    EnrollmentKey(EmployeeId("E_1/X"), SEC_101),  # reads `E_1/X/SEC-101`: someone else's
    GroupKey(GroupRef(GroupKind.GROUP, "E_1")),
]


def test_drop_links_of_user_drops_its_user_membership_and_enrollment_links(
    engine: Engine,
) -> None:
    sessions = session_factory(engine)
    with sessions() as s:
        for key in OWNED + KEPT:
            put_link(s, "t", key, "1", origin="created", now=NOW)
        put_link(s, "other", user("E_1"), "1", origin="created", now=NOW)
        s.commit()
        drop_links_of_user(s, "t", EmployeeId("E_1"))
        s.commit()
        assert set(load_links(s, "t").ids) == set(KEPT)
        assert load_links(s, "other").get(user("E_1")) == "1"


def test_load_links_names_the_adopted_ones(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as s:
        put_link(s, "t", user("E1"), "1", origin="created", now=NOW)
        put_link(s, "t", user("E2"), "2", origin="adopted", now=NOW)
        s.commit()
        loaded = load_links(s, "t")
    assert loaded.adopted == {user("E2")}
    assert (loaded.created(user("E1")), loaded.created(user("E2"))) == (True, False)
    assert loaded.created(user("E3")) is False


def test_live_refs_forget_a_deleted_user_as_the_links_do() -> None:
    refs = LiveRefs(Links(dict.fromkeys(OWNED + KEPT, RemoteId("1"))), CourseCodes())
    refs.forget_user(EmployeeId("E_1"))
    assert set(refs._ids) == set(KEPT)
