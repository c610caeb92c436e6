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

import datetime as dt
import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.builders import builder
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
from syncd.reconcile.diff import DiffPolicy, Plan, _group_ops, _idle, _user_changes
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
    Person,
    RemoteGroup,
    RemoteId,
    RemotePart,
    RemoteState,
    RemoteUser,
)
from syncd.store import Session, planreads
from syncd.store.links import CREATED, load_group_links
from syncd.store.mirror import load_groups, person_of
from syncd.store.plan_resolution import Resolution
from syncd.store.shadow import load_remote_frame

_person, _create_user = builder(Person), builder(CreateUser)
_add_member, _enroll = builder(AddMember), builder(Enroll)
"""The values a plan has millions of, made at half the cost (`syncd.builders`)."""


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
    """The plan given out phase by phase, filtered as `diff()` filters it. Each phase's
    query runs when its turn comes: the session must stay open until `ops` is exhausted
    (the temporary tables are dropped then)."""
    frame, desired = load_remote_frame(session, target), load_groups(session)
    groups = _groups(session, target, frame, desired, policy)
    stream = PlanStream(iter(()))
    ops = _phases(session, target, frame, (desired, groups), policy)
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
    *,
    lms_has_accounts: bool,
) -> None:
    matched = [(r.kind.value, r.code, g.remote_id) for r, g in groups.matched.items()]
    resolution.put_groups(matched + [(r.kind.value, r.code, None) for r in groups.unknown])
    codes = policy.courses if policy.courses is not None else CourseCodes.of(frame.courses, None)
    resolution.put_courses(codes.codes.items())
    resolution.link_people(
        target,
        complete=frame.read_whole(RemotePart.USERS),
        lms_has_accounts=lms_has_accounts,
    )


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


def _remote_user(r: Any) -> RemoteUser:
    return RemoteUser(
        RemoteId(r.remote_id),
        r.username,
        r.email,
        r.first_name,
        r.last_name,
        bool(r.active),
        r.external_id,
    )


# --- users ---------------------------------------------------------------------------------


def _user_ops(
    session: Session, target: str, policy: DiffPolicy, lms_has_accounts: bool
) -> Iterator[Operation]:
    """People's and vanished people's account operations, merged in employee order (the
    vanished are few, and none at a first contact)."""
    deleting = policy.on_leave == "delete" and OpKind.DELETE_USER in policy.supports
    candidates = planreads.user_candidates(
        session, target, deleting=deleting, lms_has_accounts=lms_has_accounts
    )
    gone = planreads.vanished_users(session, target)
    person_ops = _PersonOps(deleting)
    left = next(gone, None)
    for row in candidates:
        while left is not None and left.employee_id < row[0]:
            yield from _vanished_ops(left, deleting)
            left = next(gone, None)
        yield from person_ops(row)
    while left is not None:
        yield from _vanished_ops(left, deleting)
        left = next(gone, None)


class _PersonOps:
    """A person's account operations from their candidate row (`planreads.CANDIDATE`); HR's
    extra columns (most people share a few combinations of them) decoded once per distinct
    JSON text."""

    KEEP = 10_000  # distinct texts remembered: memory stays bounded whatever HR sends

    def __init__(self, deleting: bool) -> None:
        self._deleting = deleting
        self._attributes: dict[str, tuple[tuple[str, Any], ...]] = {}

    def __call__(self, row: tuple[Any, ...]) -> tuple[Operation, ...]:
        (emp, email, first, last, username, active, org, manager, attributes, on_leave) = row[:10]
        account, unknown, *remote, origin = row[10:]
        if unknown:
            return ()  # linked, unseen, the read was partial: left alone
        # `mirror.person_of`, with `attributes` from their JSON text.
        person = _person(
            emp,
            email,
            first,
            last,
            username,
            bool(active),
            org or None,
            manager or None,
            self._decoded(attributes),
            bool(on_leave),
        )
        if account is None:
            return (_create_user(person),) if person.active else ()
        if not person.active and not person.on_leave and self._deleting and origin == CREATED:
            return (DeleteUser(person.employee_id),)
        r_username, r_email, r_first, r_last, r_active, r_external = remote
        account_ = RemoteUser(
            account, r_username, r_email, r_first, r_last, bool(r_active), r_external
        )
        return tuple(_user_changes(person, account_))

    def _decoded(self, text: str) -> tuple[tuple[str, Any], ...]:
        found = self._attributes.get(text)
        if found is None:
            if len(self._attributes) >= self.KEEP:
                self._attributes.clear()
            found = self._attributes[text] = tuple(sorted(json.loads(text).items()))
        return found


def _vanished_ops(row: Any, deleting: bool) -> Iterator[Operation]:
    emp = EmployeeId(row.employee_id)
    if deleting and row.origin == CREATED:
        yield DeleteUser(emp)
    elif row.active:
        yield DeactivateUser(emp)


# --- memberships and enrollments -------------------------------------------------------------


class _Memberships:
    """Membership rows (`kind, code, employee, role, ...`) made operations, each group's
    `GroupRef` and each role made once."""

    def __init__(self) -> None:
        self._refs: dict[tuple[str, str], GroupRef] = {}
        self._roles = {role.value: role for role in MemberRole}

    def _ref(self, kind: str, code: str) -> GroupRef:
        ref = self._refs.get((kind, code))
        if ref is None:
            ref = self._refs[kind, code] = GroupRef(GroupKind(kind), code)
        return ref

    def wanted(self, rows: Iterable[Any]) -> Iterator[Operation]:
        """Added where the LMS lacks it, adopted where it has it and no link names it."""
        ref, roles = self._ref, self._roles
        for kind, code, emp, role, group_rid, user_rid, actual, _linked in rows:
            if actual is None:
                yield _add_member(ref(kind, code), emp, roles[role])
            else:
                key = MembershipKey(ref(kind, code), emp, roles[role])
                yield Adopt(key, RemoteId(f"{group_rid}/{user_rid}"))

    def removed(self, rows: Iterable[Any]) -> Iterator[Operation]:
        ref, roles = self._ref, self._roles
        for kind, code, emp, role in rows:
            yield RemoveMember(ref(kind, code), emp, roles[role])


def _enrolls(rows: Iterable[tuple[Any, ...]]) -> Iterator[Operation]:
    """Enrollment rows made operations; a due date that comes as ISO text (SQLite) read
    once per distinct text (a company has few)."""
    dates: dict[Any, dt.date | None] = {None: None}
    for employee_id, course_code, due in rows:
        date = dates.get(due)
        if date is None and due is not None:
            date = dates[due] = due if isinstance(due, dt.date) else dt.date.fromisoformat(due)
        yield _enroll(employee_id, course_code, date)


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


def _phases(
    session: Session,
    target: str,
    frame: RemoteState,
    both: tuple[Mapping[GroupRef, Group], Resolved[GroupRef, RemoteGroup]],
    policy: DiffPolicy,
) -> Iterator[Operation]:
    """Adoptions (merged by kind and key), then each phase in `OpKind`'s order (`_in_turn`).
    The shadow's memberships are read first (their adoptions go first, their removals
    late), and the group operations are a company's few, ordered as `order.ordered` does:
    both wait in their phases' spools."""
    desired, groups = both
    later: dict[OpKind, Spool] = {kind: Spool() for kind in OpKind}
    with Resolution(session) as resolution:
        reads = _Reads(session, target, policy)
        _resolve(resolution, target, frame, groups, policy, lms_has_accounts=reads.accounts)
        users = _adopt_users(session, target, resolution, policy.natural_keys)
        for op in reads.early():
            later[op.KIND].append(op)
        for op in ordered(
            _group_ops(desired, groups, policy.nested_groups), desired, groups.matched
        ):
            later[op.KIND].append(op)
        small = sorted([*groups.adoptions, *users], key=_adopt_order)
        yield from heapq.merge(small, later.pop(OpKind.ADOPT), key=_adopt_order)
        yield from _in_turn(later, reads.by_phase())


def _in_turn(
    later: dict[OpKind, Spool], reads: Mapping[OpKind, Callable[[], Iterator[Operation]]]
) -> Iterator[Operation]:
    """Each phase in turn: its own query, if it has one, read now and given out as it is
    read (what it finds of a later phase waits in that phase's spool), then its spool."""
    for kind, spool in later.items():
        read = reads.get(kind)
        if read is None:
            pass
        elif kind in _MIXED:
            for op in read():
                if op.KIND is kind:
                    yield op
                else:
                    later[op.KIND].append(op)
        else:
            yield from read()
        yield from spool


_MIXED = frozenset({OpKind.CREATE_USER})
"""The phases whose query also finds later phases' operations (accounts' updates and
deactivations with the creates); every other phase's query finds its own only."""


class _Reads:
    """The queries of one plan, made operations; run inside the plan's `Resolution`."""

    def __init__(self, session: Session, target: str, policy: DiffPolicy) -> None:
        self.session, self.target, self.policy = session, target, policy
        self.memberships = _Memberships()
        self.accounts = planreads.has_accounts(session, target)  # none: nobody has one yet
        # A membership is adopted only where the LMS has one: when it has none (a first
        # contact), HR's memberships are read in their turn, not before everything.
        self._adoptable = planreads.has_memberships(session, target)
        self._enrolled = planreads.has_enrollments(session, target)

    def early(self) -> Iterator[Operation]:
        """What must be read before the first operation is given out: HR's memberships,
        whose adoptions go first, when the LMS has any."""
        return self._wanted_memberships() if self._adoptable else iter(())

    def by_phase(self) -> dict[OpKind, Callable[[], Iterator[Operation]]]:
        """The phases with a query of their own (a phase's query finds only its own or
        later phases' operations: accounts' updates and deactivations with the creates)."""
        session, target = self.session, self.target
        reads = {
            OpKind.CREATE_USER: lambda: _user_ops(session, target, self.policy, self.accounts),
            OpKind.ENROLL: lambda: _enrolls(
                planreads.wanted_enrollments(session, target, lms_has_any=self._enrolled)
            ),
            OpKind.UNENROLL: lambda: _unenrolls(planreads.dropped_enrollments(session, target)),
            OpKind.REMOVE_MEMBER: lambda: self.memberships.removed(
                planreads.dropped_memberships(session, target)
            ),
        }
        if not self._adoptable:
            reads[OpKind.ADD_MEMBER] = self._wanted_memberships
        return reads

    def _wanted_memberships(self) -> Iterator[Operation]:
        roles = [role.value for role in self.policy.member_roles]
        rows = planreads.wanted_memberships(
            self.session, self.target, roles, adoptable=self._adoptable
        )
        return self.memberships.wanted(rows)


def _adopt_order(op: Operation) -> tuple[str, str]:
    return op.key.link_kind.value, op.key.link_text


def _possible(
    ops: Iterator[Operation], policy: DiffPolicy, unsupported: list[Operation]
) -> Iterator[Operation]:
    """`diff()`'s filter: what a job in flight touches is left out (`_idle`), what the API
    cannot do set aside (`_supports`'s rule: adoptions and the connector's kinds). With
    nothing in flight and every kind possible, `ops` themselves."""
    supported = policy.supports | {OpKind.ADOPT}
    if not policy.busy and supported >= set(OpKind):
        return ops
    return _filtered(ops, policy, supported, unsupported)


def _filtered(
    ops: Iterator[Operation],
    policy: DiffPolicy,
    supported: frozenset[OpKind],
    unsupported: list[Operation],
) -> Iterator[Operation]:
    busy = bool(policy.busy)
    for op in ops:
        if busy and not _idle(op, policy):
            continue
        if op.KIND in supported:
            yield op
        else:
            unsupported.append(op)
