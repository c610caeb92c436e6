"""Plan order: dependencies first, removals last, every tie broken by key.

Phases follow `OpKind`'s order (adoptions, groups, users, memberships,
enrollments, then the removals in reverse). Inside a phase: parent org units
are created and moved before their children, and deleted after them;
enrollments go course by course, so a batch packs into few LMS calls.
The diff yields operations in any order: this sort alone makes plans deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from syncd.operations import (
    Adopt,
    CreateGroup,
    DeleteGroup,
    Enroll,
    MoveGroup,
    Operation,
    OpKind,
    Unenroll,
)
from syncd.records import Group, GroupKind, GroupRef, RemoteGroup

PHASES = {kind: index for index, kind in enumerate(OpKind)}


def ordered(
    ops: Iterable[Operation],
    desired_groups: Mapping[GroupRef, Group],
    matched_groups: Mapping[GroupRef, RemoteGroup],
) -> list[Operation]:
    wanted = desired_depths(desired_groups)
    held = remote_depths(matched_groups)

    def key(op: Operation) -> tuple[int, int, int, str, str]:
        match op:
            case CreateGroup() | MoveGroup():
                ref = op.group.ref
                return PHASES[op.KIND], _kind_rank(ref), wanted.get(ref, 0), str(op.key), ""
            case DeleteGroup():
                return PHASES[op.KIND], _kind_rank(op.ref), -held.get(op.ref, 0), str(op.key), ""
            case Enroll() | Unenroll():  # by course: LMSs enroll many people in one course a call
                return PHASES[op.KIND], 0, 0, op.course_code, op.employee_id
            case Adopt():
                return PHASES[op.KIND], 0, 0, op.key.link_kind.value, op.key.link_text
            case _:  # ties broken by the key as shown, so that plans read in a stable order
                return PHASES[op.KIND], 0, 0, str(op.key), ""

    return sorted(ops, key=key)


def _kind_rank(ref: GroupRef) -> int:
    return 0 if ref.kind is GroupKind.ORG_UNIT else 1


def desired_depths(groups: Mapping[GroupRef, Group]) -> dict[GroupRef, int]:
    """Depth of each group in HR's tree (roots 0); a broken parent chain counts as a root."""
    depths: dict[GroupRef, int] = {}
    for ref in groups:
        depths[ref] = _depth(ref, lambda r: groups[r].parent if r in groups else None)
    return depths


def remote_depths(matched: Mapping[GroupRef, RemoteGroup]) -> dict[GroupRef, int]:
    """Depth of each matched group in the LMS's own tree, as last fetched."""
    ref_of = {(g.kind, g.remote_id): ref for ref, g in matched.items()}

    def parent(ref: GroupRef) -> GroupRef | None:
        remote = matched.get(ref)
        if remote is None or remote.parent_remote_id is None:
            return None
        return ref_of.get((remote.kind, remote.parent_remote_id))

    return {ref: _depth(ref, parent) for ref in matched}


def _depth(ref: GroupRef, parent_of: Callable[[GroupRef], GroupRef | None]) -> int:
    depth, seen, current = 0, {ref}, parent_of(ref)
    while current is not None and current not in seen:
        seen.add(current)
        depth, current = depth + 1, parent_of(current)
    return depth
