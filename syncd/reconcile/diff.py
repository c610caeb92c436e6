"""The diff: HR's desired state against one target's shadow, as an ordered plan.

Pure and deterministic: no I/O, no clock; the same inputs give the same plan,
so what `--dry-run` shows is what a real run does. The rules it keeps:
- leavers are deactivated; their memberships and enrollments stay. Only a target
  with `on_leave = "delete"` has leavers' accounts deleted instead, and only the
  ones syncd created (adopted accounts are deactivated, as everywhere); people on
  leave (`Person.on_leave`) are deactivated everywhere, never deleted;
- syncd removes only what it manages (linked memberships and enrollments, groups
  it links); what an admin added by hand stays;
- an enrollment with progress (anything but `enrolled`) is never removed;
- after a fetch that broke off, what depends on a part it did not read whole is held
  back (`hold.py`) and listed in the plan's `held`;
- a change the target's API cannot make (not in its connector's `supports`) is left
  undone and listed in the plan's `unsupported`, so the run can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from syncd.keys import EnrollmentKey, Links, MembershipKey, ObjectKey, UserKey
from syncd.operations import (
    AddMember,
    Adopt,
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
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.hold import hold_back
from syncd.reconcile.order import ordered
from syncd.reconcile.resolve import Resolved, resolve_groups, resolve_users
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    EnrollmentStatus,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    Person,
    RemoteGroup,
    RemoteId,
    RemotePart,
    RemoteState,
    RemoteUser,
)


class Plan(list[Operation]):
    """The operations to apply, in dependency order. `unsupported` holds the changes HR
    asks for that the target's API cannot make, `held` those a broken-off read holds back
    until a cycle reads what they depend on: neither is sent, both are reported."""

    unsupported: tuple[Operation, ...] = ()
    held: tuple[Operation, ...] = ()


@dataclass(frozen=True, slots=True)
class DiffPolicy:
    """What the target's connector declared that the diff needs to know."""

    natural_keys: tuple[str, ...] = ("external_id", "username", "email")
    groups_have_codes: bool = True
    supports: frozenset[OpKind] = frozenset(OpKind)
    # False where the LMS's groups are flat: a parent is nothing there, so never a change.
    nested_groups: bool = True
    # The target's course-code table (`courses.py`); None: the LMS's own codes, as read.
    courses: CourseCodes | None = None
    # The target's `on_leave`: "deactivate", or "delete" (accounts syncd created only).
    on_leave: str = "deactivate"
    member_roles: frozenset[MemberRole] = frozenset({MemberRole.LEARNER})
    # Object keys with an LMS job in flight: nothing else is started on them this cycle.
    busy: frozenset[ObjectKey] = frozenset()


def diff(desired: DesiredState, remote: RemoteState, links: Links, policy: DiffPolicy) -> Plan:
    """The plan that brings `remote` to `desired`, in dependency order."""
    users = resolve_users(
        desired.people,
        remote.users,
        links,
        natural_keys=policy.natural_keys,
        complete=remote.read_whole(RemotePart.USERS),
    )
    groups = resolve_groups(
        desired.groups,
        remote.groups,
        links,
        groups_have_codes=policy.groups_have_codes,
        complete=remote.read_whole(RemotePart.GROUPS),
    )
    ops: list[Operation] = [*users.adoptions, *groups.adoptions]
    ops += _user_ops(desired, users, links, policy)
    ops += _group_ops(desired.groups, groups, policy.nested_groups)
    ops += _membership_ops(desired, remote, users, groups, links, roles=policy.member_roles)
    ops += _enrollment_ops(desired, remote, users, links, policy)
    possible = [op for op in ops if _idle(op, policy)]
    supported = [op for op in possible if _supports(policy, op)]
    kept, held = hold_back(ordered(supported, desired.groups, groups.matched), remote)
    plan = Plan(kept)
    plan.unsupported = tuple(op for op in possible if not _supports(policy, op))
    plan.held = tuple(held)
    return plan


def _idle(op: Operation, policy: DiffPolicy) -> bool:
    """No job of the LMS is in flight on what `op` touches: its object, or the account."""
    if not policy.busy:
        return True
    person = _person_of(op)
    return op.key not in policy.busy and (person is None or UserKey(person) not in policy.busy)


def _supports(policy: DiffPolicy, op: Operation) -> bool:
    return op.KIND is OpKind.ADOPT or op.KIND in policy.supports


def _person_of(op: Operation) -> EmployeeId | None:
    """The employee whose account an operation touches, for the in-flight guard."""
    match op:
        case AddMember() | RemoveMember() | Enroll() | Unenroll():
            return op.employee_id
        case _:
            return None


# --- users ---------------------------------------------------------------------------------


def _user_ops(
    desired: DesiredState,
    users: Resolved[EmployeeId, RemoteUser],
    links: Links,
    policy: DiffPolicy,
) -> Iterator[Operation]:
    for emp, person in desired.people.items():
        if emp in users.unknown:
            continue
        remote = users.matched.get(emp)
        if remote is None:
            if person.active:
                yield CreateUser(person)
        elif not person.active and not person.on_leave and _deletes(emp, links, policy):
            yield DeleteUser(emp)
        else:
            yield from _user_changes(person, remote)
    yield from _vanished_users(desired, users, links, policy)


def _deletes(emp: EmployeeId, links: Links, policy: DiffPolicy) -> bool:
    """Whether this leaver's account goes rather than being deactivated: the target says
    `on_leave = "delete"`, its connector can delete, and syncd created the account."""
    can = policy.on_leave == "delete" and OpKind.DELETE_USER in policy.supports
    return can and links.created(UserKey(emp))


def _user_changes(person: Person, remote: RemoteUser) -> Iterator[Operation]:
    changes = tuple(_field_changes(person, remote))
    if changes:
        yield UpdateUser(person, changes)
    if person.active and not remote.active:
        yield ReactivateUser(person.employee_id)
    elif not person.active and remote.active:
        yield DeactivateUser(person.employee_id)


def _field_changes(person: Person, remote: RemoteUser) -> Iterator[FieldChange]:
    for name, folded in (
        ("username", True),
        ("email", True),
        ("first_name", False),
        ("last_name", False),
    ):
        want, have = getattr(person, name), getattr(remote, name)
        if (want.casefold() != have.casefold()) if folded else (want != have):
            yield FieldChange(name, have, want)


def _vanished_users(
    desired: DesiredState,
    users: Resolved[EmployeeId, RemoteUser],
    links: Links,
    policy: DiffPolicy,
) -> Iterator[Operation]:
    """People HR no longer lists at all, whose linked account is still there (and active,
    unless it is to be deleted)."""
    for emp in links.users():
        remote = users.matched.get(emp)
        if emp in desired.people or remote is None:
            continue
        if _deletes(emp, links, policy):
            yield DeleteUser(emp)
        elif remote.active:
            yield DeactivateUser(emp)


# --- groups --------------------------------------------------------------------------------


def _group_ops(
    desired: Mapping[GroupRef, Group], groups: Resolved[GroupRef, RemoteGroup], nested: bool
) -> Iterator[Operation]:
    ref_of = {(g.kind, g.remote_id): ref for ref, g in groups.matched.items()}
    for ref, group in desired.items():
        remote = groups.matched.get(ref)
        if ref in groups.unknown:
            continue
        if remote is None:
            yield CreateGroup(group)
            continue
        if remote.name != group.name:
            yield UpdateGroup(group, remote.name)
        parent_id = remote.parent_remote_id
        current_parent = ref_of.get((remote.kind, parent_id)) if parent_id else None
        if nested and ref.kind is GroupKind.ORG_UNIT and group.parent != current_parent:
            yield MoveGroup(group, current_parent)
    for ref in groups.matched:
        if ref not in desired:
            yield DeleteGroup(ref)


# --- memberships ---------------------------------------------------------------------------


def _membership_ops(
    desired: DesiredState,
    remote: RemoteState,
    users: Resolved[EmployeeId, RemoteUser],
    groups: Resolved[GroupRef, RemoteGroup],
    links: Links,
    *,
    roles: frozenset[MemberRole],
) -> Iterator[Operation]:
    """Learners (and managers, where the LMS has them) added, adopted and removed."""
    actual = dict(_actual_memberships(remote, users, groups))
    for m in desired.memberships:
        unknown = m.employee_id in users.unknown or m.group in groups.unknown
        if unknown or m.role not in roles or not _is_active(desired, m.employee_id):
            continue
        if m not in actual:
            yield AddMember(m.group, m.employee_id, m.role)
        elif (key := MembershipKey.of(m)) not in links:
            yield Adopt(key, actual[m])
    for m in actual:
        gone = m not in desired.memberships and _is_active(desired, m.employee_id)
        if gone and MembershipKey.of(m) in links:  # syncd manages it
            yield RemoveMember(m.group, m.employee_id, m.role)


def _actual_memberships(
    remote: RemoteState,
    users: Resolved[EmployeeId, RemoteUser],
    groups: Resolved[GroupRef, RemoteGroup],
) -> Iterator[tuple[Membership, RemoteId]]:
    emp_of = {u.remote_id: emp for emp, u in users.matched.items()}
    ref_of = {(g.kind, g.remote_id): ref for ref, g in groups.matched.items()}
    for rm in remote.memberships:
        emp, ref = emp_of.get(rm.user_remote_id), ref_of.get((rm.group_kind, rm.group_remote_id))
        if emp is not None and ref is not None:
            rid = RemoteId(f"{rm.group_remote_id}/{rm.user_remote_id}")
            yield Membership(ref, emp, rm.role), rid


def _is_active(desired: DesiredState, emp: EmployeeId) -> bool:
    person = desired.people.get(emp)
    return person is not None and person.active


# --- enrollments ---------------------------------------------------------------------------


def _enrollment_ops(
    desired: DesiredState,
    remote: RemoteState,
    users: Resolved[EmployeeId, RemoteUser],
    links: Links,
    policy: DiffPolicy,
) -> Iterator[Operation]:
    actual = dict(_actual_enrollments(remote, users, policy))
    for key, wanted in desired.enrollments.items():
        if _is_active(desired, key[0]) and key[0] not in users.unknown and key not in actual:
            yield Enroll(wanted.employee_id, wanted.course_code, wanted.due_date)
    for (emp, course), status in actual.items():
        gone = (emp, course) not in desired.enrollments and _is_active(desired, emp)
        untouched = status is EnrollmentStatus.ENROLLED
        if gone and untouched and EnrollmentKey(emp, course) in links:  # syncd manages it
            yield Unenroll(emp, course)


def _actual_enrollments(
    remote: RemoteState, users: Resolved[EmployeeId, RemoteUser], policy: DiffPolicy
) -> Iterator[tuple[tuple[EmployeeId, CourseCode], EnrollmentStatus]]:
    emp_of = {u.remote_id: emp for emp, u in users.matched.items()}
    codes = policy.courses if policy.courses is not None else CourseCodes.of(remote.courses, None)
    for re in remote.enrollments:
        emp, code = emp_of.get(re.user_remote_id), codes.code_of(re.course_remote_id)
        if emp is not None and code is not None:
            yield (emp, code), re.status


def shared_names(groups: Mapping[GroupRef, Group]) -> dict[str, list[GroupRef]]:
    """Names (case-folded) that more than one HR group bears. Where an LMS keys groups by
    name only, each such name is one LMS group holding the members of all of them."""
    by_name: dict[str, list[GroupRef]] = {}
    for ref, group in sorted(groups.items()):
        by_name.setdefault(group.name.casefold(), []).append(ref)
    return {name: refs for name, refs in by_name.items() if len(refs) > 1}


def count_kinds(ops: Iterable[Operation]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for op in ops:
        counts[op.KIND.value] = counts.get(op.KIND.value, 0) + 1
    return counts
