"""Which later steps of a plan ride along with an earlier one's request.

`batching.batches` asks `carried_steps` once per plan: for each person the plan creates,
their learner memberships of the kinds the connector's `CreateCarries` names and their
enrollments, up to its per-person counts, in plan order. Where the connector writes users
as rows (`Capabilities.user_rows`) it asks `people_steps` instead: every user write of the
plan and, for every person, what their row carries. It asks `paired_removals` for
the moves: a person's learner RemoveMember of a kind the connector moves in one request
(`Capabilities.moves_members`) rides with their AddMember of that kind. The plan itself
is unchanged; only how its steps are packed into requests is. Where one request edits a
group's members whole (`Capabilities.edits_group_members`), `group_removals` gives each
group's removals, of every role, to the step of its first addition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from syncd.connectors.base import CreateCarries
from syncd.keys import MembershipKey
from syncd.operations import (
    AddMember,
    CreateUser,
    DeactivateUser,
    Enroll,
    Operation,
    OpKind,
    ReactivateUser,
    RemoveMember,
    UpdateUser,
)
from syncd.records import EmployeeId, GroupKind, GroupRef, MemberRole

Step = tuple[int, Operation]  # (place in the plan, operation)


def carried_steps(steps: Sequence[Step], carries: CreateCarries) -> dict[EmployeeId, list[Step]]:
    """Per created person, the steps their create carries, in plan order (none: empty)."""
    if not carries:
        return {}
    created: set[EmployeeId] = set()
    found: dict[EmployeeId, list[Step]] = {}
    counts: Counter[tuple[EmployeeId, OpKind]] = Counter()
    for step in steps:
        op = step[1]
        if isinstance(op, CreateUser):
            created.add(op.person.employee_id)
        elif isinstance(op, AddMember | Enroll) and op.employee_id in created:
            slot = (op.employee_id, op.KIND)
            if counts[slot] < _limit(op, carries):
                counts[slot] += 1
                found.setdefault(op.employee_id, []).append(step)
    return found


ROW_WRITES = (CreateUser, UpdateUser, ReactivateUser, DeactivateUser)


def people_steps(steps: Sequence[Step], carries: CreateCarries) -> dict[EmployeeId, list[Step]]:
    """Per person, in the order of their first step: their user writes and the memberships
    and enrollments their row carries (up to `carries`' per-person counts, in plan order)."""
    people: dict[EmployeeId, list[Step]] = {}
    counts: Counter[tuple[EmployeeId, OpKind]] = Counter()
    for step in steps:
        op = step[1]
        if isinstance(op, ROW_WRITES):
            people.setdefault(_person(op), []).append(step)
        elif isinstance(op, AddMember | Enroll) and counts[op.employee_id, op.KIND] < _limit(
            op, carries
        ):
            counts[op.employee_id, op.KIND] += 1
            people.setdefault(op.employee_id, []).append(step)
    return people


def _person(op: CreateUser | UpdateUser | ReactivateUser | DeactivateUser) -> EmployeeId:
    return op.person.employee_id if isinstance(op, CreateUser | UpdateUser) else op.employee_id


def _limit(op: AddMember | Enroll, carries: CreateCarries) -> int:
    """How many operations like `op` one create may carry (0: none of them)."""
    if isinstance(op, Enroll):
        return carries.enrollments
    learner = op.role is MemberRole.LEARNER and op.group.kind in carries.member_kinds
    return carries.members if learner else 0


def paired_removals(steps: Sequence[Step], kinds: frozenset[GroupKind]) -> dict[int, Step]:
    """By the plan place of a person's first learner AddMember of a kind in `kinds`, their
    first learner RemoveMember of that kind that comes later in the plan."""
    adds: dict[tuple[EmployeeId, GroupKind], int] = {}
    pairs: dict[int, Step] = {}
    for seq, op in steps:
        if not isinstance(op, AddMember | RemoveMember) or not _moved(op, kinds):
            continue
        slot = (op.employee_id, op.group.kind)
        if isinstance(op, AddMember):
            adds.setdefault(slot, seq)
        elif slot in adds and adds[slot] not in pairs:
            pairs[adds[slot]] = (seq, op)
    return pairs


def _moved(op: AddMember | RemoveMember, kinds: frozenset[GroupKind]) -> bool:
    return op.role is MemberRole.LEARNER and op.group.kind in kinds


def group_removals(steps: Sequence[Step]) -> dict[int, list[Step]]:
    """By the plan place of a group's first AddMember (any role), the RemoveMember steps of
    that group that come later in the plan, in plan order: one request then carries the
    group's additions and removals. A removal of a membership the plan also adds stays
    apart (one request cannot both add and remove one person in one role)."""
    first: dict[GroupRef, int] = {}
    added: set[MembershipKey] = set()
    riders: dict[int, list[Step]] = {}
    for seq, op in steps:
        if isinstance(op, AddMember):
            first.setdefault(op.group, seq)
            added.add(op.key)
        elif isinstance(op, RemoveMember) and op.group in first and op.key not in added:
            riders.setdefault(first[op.group], []).append((seq, op))
    return riders
