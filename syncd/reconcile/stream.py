"""The streaming diff: one target's plan made from the store, equal to what `diff()` makes
of the same state held whole, without holding it whole.

Groups and courses (a company's few) are resolved in memory as `diff()` does. Accounts are
resolved in SQL: the linked ones by join, the unlinked remainder adopted by natural key
against an index of the target's *unlinked* accounts only. The store then returns the
candidate rows of each phase in the plan's order (`store/planreads.py`), `diff.py`'s rules
turn them into operations, and each phase waits in its spool (`spool.py`) until the
phases before it are given out. Memory: the groups, the unlinked accounts and this cycle's
adoptions, plus one chunk per spool; never the people, the memberships or the enrollments.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.keys import MembershipKey, UserKey
from syncd.operations import (
    AddMember,
    Adopt,
    CreateUser,
    DeactivateUser,
    DeleteUser,
    Enroll,
    Operation,
    OpKind,
    RemoveMember,
    Unenroll,
)
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import DiffPolicy, Plan, _group_ops, _idle, _supports, _user_changes
from syncd.reconcile.hold import holding
from syncd.reconcile.order import ordered
from syncd.reconcile.resolve import Resolved, first_match, person_keys, resolve_groups, user_index
from syncd.reconcile.spool import Spool
from syncd.records import (
    CourseCode,
    EmployeeId,
    EnrollmentStatus,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    RemoteGroup,
    RemoteId,
    RemotePart,
    RemoteState,
    RemoteUser,
)
from syncd.store import Session, planreads
from syncd.store.links import CREATED, load_group_links
from syncd.store.mirror import load_groups, person_of
from syncd.store.planreads import Resolution
from syncd.store.shadow import load_remote_frame


@dataclass(slots=True)
class PlanStream:
    """The plan's operations, given out once and in order; `unsupported` and `held` fill up
    as they are (complete once `ops` is exhausted)."""

    ops: Iterator[Operation]
    unsupported: list[Operation] = field(default_factory=list)
    held: list[Operation] = field(default_factory=list)


def diff_stored(session: Session, target: str, policy: DiffPolicy) -> Plan:
    """`diff()` of the mirror against `target`'s shadow and links, as one list."""
    stream = stream_plan(session, target, policy)
    plan = Plan(stream.ops)
    plan.unsupported, plan.held = tuple(stream.unsupported), tuple(stream.held)
    return plan


def stream_plan(session: Session, target: str, policy: DiffPolicy) -> PlanStream:
    """Every phase read and spooled (the store is done with when this returns), then the
    plan given out phase by phase, filtered as `diff()` filters it."""
    frame, desired = load_remote_frame(session, target), load_groups(session)
    groups = _groups(session, target, frame, desired, policy)
    phases = {kind: Spool() for kind in OpKind}
    with Resolution(session) as resolution:
        _resolve(resolution, target, frame, groups, policy)
        users = _adopt_users(session, target, resolution, policy.natural_keys)
        _read_phases(session, target, policy, phases)
    stream = PlanStream(iter(()))
    ops = _in_order(phases, users, (desired, groups), policy)
    stream.ops = holding(_possible(ops, policy, stream.unsupported), frame, stream.held)
    return stream


def _groups(
    session: Session,
    target: str,
    frame: RemoteState,
    desired: Mapping[GroupRef, Group],
    policy: DiffPolicy,
) -> Resolved[GroupRef, RemoteGroup]:
    return resolve_groups(
        desired,
        frame.groups,
        load_group_links(session, target),
        groups_have_codes=policy.groups_have_codes,
        complete=frame.read_whole(RemotePart.GROUPS),
    )


def _resolve(
    resolution: Resolution,
    target: str,
    frame: RemoteState,
    groups: Resolved[GroupRef, RemoteGroup],
    policy: DiffPolicy,
) -> None:
    matched = [(r.kind.value, r.code, g.remote_id) for r, g in groups.matched.items()]
    resolution.put_groups(matched + [(r.kind.value, r.code, None) for r in groups.unknown])
    codes = policy.courses if policy.courses is not None else CourseCodes.of(frame.courses, None)
    resolution.put_courses(codes.codes.items())
    resolution.link_people(target, complete=frame.read_whole(RemotePart.USERS))


def _adopt_users(
    session: Session, target: str, resolution: Resolution, natural_keys: tuple[str, ...]
) -> list[Adopt]:
    """People without an account adopt an unlinked one by natural key, in employee order,
    each account once (`resolve.resolve_users`'s rule, over the unlinked remainder only)."""
    unlinked = [_remote_user(r) for r in planreads.unlinked_users(session, target)]
    if not unlinked:
        return []
    index, claimed = user_index(unlinked, natural_keys, set()), set[RemoteId]()
    adoptions: list[Adopt] = []
    for row in planreads.unresolved_people(session):
        found = first_match(index, person_keys(person_of(row), natural_keys), claimed)
        if found is not None:
            claimed.add(found.remote_id)
            adoptions.append(Adopt(UserKey(EmployeeId(row.employee_id)), found.remote_id))
    resolution.adopt_users((str(a.key), a.remote_id) for a in adoptions)
    return adoptions


def _remote_user(r: Any, prefix: str = "") -> RemoteUser:
    def get(name: str) -> Any:
        return getattr(r, prefix + name)

    return RemoteUser(
        RemoteId(get("remote_id")),
        get("username"),
        get("email"),
        get("first_name"),
        get("last_name"),
        bool(get("active")),
        get("external_id"),
    )


def _read_phases(
    session: Session, target: str, policy: DiffPolicy, phases: dict[OpKind, Spool]
) -> None:
    for op in _user_ops(session, target, policy):
        phases[op.KIND].append(op)
    roles = [role.value for role in policy.member_roles]
    for op in _wanted_memberships(planreads.wanted_memberships(session, target, roles)):
        phases[op.KIND].append(op)
    for row in planreads.dropped_memberships(session, target):
        phases[OpKind.REMOVE_MEMBER].append(RemoveMember(*_membership(row)))
    for row in planreads.wanted_enrollments(session, target):
        enroll = Enroll(EmployeeId(row.employee_id), CourseCode(row.course_code), row.due_date)
        phases[OpKind.ENROLL].append(enroll)
    for op in _unenrolls(planreads.dropped_enrollments(session, target)):
        phases[OpKind.UNENROLL].append(op)


# --- users ---------------------------------------------------------------------------------


def _user_ops(session: Session, target: str, policy: DiffPolicy) -> Iterator[Operation]:
    """People's and vanished people's account operations, merged in employee order."""
    deleting = policy.on_leave == "delete" and OpKind.DELETE_USER in policy.supports
    people = (
        (r.employee_id, 0, r) for r in planreads.user_candidates(session, target, deleting=deleting)
    )
    gone = ((r.employee_id, 1, r) for r in planreads.vanished_users(session, target))
    for _, source, row in heapq.merge(people, gone):
        yield from (_person_ops if source == 0 else _vanished_ops)(row, deleting)


def _person_ops(row: Any, deleting: bool) -> Iterator[Operation]:
    if row.unknown:
        return  # linked, unseen, the read was partial: left alone
    person = person_of(row)
    if row.s_remote_id is None:
        if person.active:
            yield CreateUser(person)
    elif not person.active and deleting and row.origin == CREATED:
        yield DeleteUser(person.employee_id)
    else:
        yield from _user_changes(person, _remote_user(row, "s_"))


def _vanished_ops(row: Any, deleting: bool) -> Iterator[Operation]:
    emp = EmployeeId(row.employee_id)
    if deleting and row.origin == CREATED:
        yield DeleteUser(emp)
    elif row.active:
        yield DeactivateUser(emp)


# --- memberships and enrollments -------------------------------------------------------------


def _membership(row: Any) -> tuple[GroupRef, EmployeeId, MemberRole]:
    ref = GroupRef(GroupKind(row.group_kind), row.group_code)
    return ref, EmployeeId(row.employee_id), MemberRole(row.role)


def _wanted_memberships(rows: Iterable[Any]) -> Iterator[Operation]:
    for row in rows:
        ref, emp, role = _membership(row)
        if row.actual is None:
            yield AddMember(ref, emp, role)
        elif row.linked is None:
            rid = RemoteId(f"{row.group_remote_id}/{row.user_remote_id}")
            yield Adopt(MembershipKey(ref, emp, role), rid)


def _unenrolls(rows: Iterable[Any]) -> Iterator[Operation]:
    """One per (course, employee): of several course ids bearing one code, the last counts."""
    last: Any = None
    for row in rows:
        if last is not None and (last.course_code, last.employee_id) != (
            row.course_code,
            row.employee_id,
        ):
            yield from _unenroll(last)
        last = row
    if last is not None:
        yield from _unenroll(last)


def _unenroll(row: Any) -> Iterator[Operation]:
    if EnrollmentStatus(row.status) is EnrollmentStatus.ENROLLED:
        yield Unenroll(EmployeeId(row.employee_id), CourseCode(row.course_code))


# --- the plan, phase by phase ----------------------------------------------------------------


def _in_order(
    phases: dict[OpKind, Spool],
    users: list[Adopt],
    both: tuple[Mapping[GroupRef, Group], Resolved[GroupRef, RemoteGroup]],
    policy: DiffPolicy,
) -> Iterator[Operation]:
    """Adoptions (merged by kind and key), then each phase's spool in `OpKind`'s order; the
    group operations (a few) are ordered as `order.ordered` orders them."""
    desired, groups = both
    for op in ordered(_group_ops(desired, groups, policy.nested_groups), desired, groups.matched):
        phases[op.KIND].append(op)
    small = sorted([*groups.adoptions, *users], key=_adopt_order)
    yield from heapq.merge(small, phases.pop(OpKind.ADOPT), key=_adopt_order)
    for kind in OpKind:
        yield from phases.get(kind, ())


def _adopt_order(op: Operation) -> tuple[str, str]:
    return op.key.link_kind.value, op.key.link_text


def _possible(
    ops: Iterable[Operation], policy: DiffPolicy, unsupported: list[Operation]
) -> Iterator[Operation]:
    for op in ops:
        if not _idle(op, policy):
            continue
        if _supports(policy, op):
            yield op
        else:
            unsupported.append(op)
