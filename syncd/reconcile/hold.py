"""What a read that broke off holds back: the operations that depend on what it did not read.

Pure. An operation acting on a part of the target that was not read whole is held (a
creation may duplicate what sits on an unread page, a removal may remove what HR still
wants, an enroll may repeat what is already there); so is every operation that needs
an object whose creation was held (a membership of a team not created this run). Held
operations are neither sent nor failed: the run reports them, the next cycle plans them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from syncd.keys import GroupKey, ObjectKey, UserKey
from syncd.operations import (
    AddMember,
    CreateGroup,
    Enroll,
    MoveGroup,
    Operation,
    OpKind,
    RemoveMember,
    Unenroll,
)
from syncd.records import RemotePart, RemoteState

NEEDS_WHOLE: dict[OpKind, tuple[RemotePart, ...]] = {
    OpKind.CREATE_USER: (RemotePart.USERS,),
    OpKind.DEACTIVATE_USER: (RemotePart.USERS,),
    OpKind.DELETE_USER: (RemotePart.USERS,),
    OpKind.CREATE_GROUP: (RemotePart.GROUPS,),
    OpKind.MOVE_GROUP: (RemotePart.GROUPS,),  # the parent may be a group not read
    OpKind.DELETE_GROUP: (RemotePart.GROUPS,),
    OpKind.ADD_MEMBER: (RemotePart.MEMBERSHIPS,),
    OpKind.REMOVE_MEMBER: (RemotePart.MEMBERSHIPS,),
    OpKind.ENROLL: (RemotePart.COURSES, RemotePart.ENROLLMENTS),
    OpKind.UNENROLL: (RemotePart.COURSES, RemotePart.ENROLLMENTS),
}
CREATES = frozenset({OpKind.CREATE_USER, OpKind.CREATE_GROUP})


def hold_back(
    ops: Iterable[Operation], remote: RemoteState
) -> tuple[list[Operation], list[Operation]]:
    """`(kept, held)` of a plan in dependency order: an operation is held when a part it
    needs was not read whole, or when it needs an object whose creation was held."""
    held: list[Operation] = []
    kept = list(holding(ops, remote, held))
    return kept, held


def holding(
    ops: Iterable[Operation], remote: RemoteState, held: list[Operation]
) -> Iterator[Operation]:
    """`hold_back` as a stream: the kept operations yielded in order, the held ones appended
    to `held` (a broken-off read holds its few; a whole one holds none: `ops` themselves)."""
    if all(remote.read_whole(part) for parts in NEEDS_WHOLE.values() for part in parts):
        return iter(ops)  # nothing unread: nothing held, nor anything that needs it
    return _holding(ops, remote, held)


def _holding(
    ops: Iterable[Operation], remote: RemoteState, held: list[Operation]
) -> Iterator[Operation]:
    uncreated: set[ObjectKey] = set()
    for op in ops:
        unread = any(not remote.read_whole(p) for p in NEEDS_WHOLE.get(op.KIND, ()))
        if unread or not uncreated.isdisjoint(prerequisites(op)):
            held.append(op)
            if op.KIND in CREATES:
                uncreated.add(op.key)
        else:
            yield op


def prerequisites(op: Operation) -> tuple[ObjectKey, ...]:
    """The keys of the accounts and groups `op` needs to exist (CreateUser/CreateGroup keys)."""
    match op:
        case AddMember() | RemoveMember():
            return UserKey(op.employee_id), GroupKey(op.group)
        case Enroll() | Unenroll():
            return (UserKey(op.employee_id),)
        case CreateGroup() | MoveGroup():
            return () if op.group.parent is None else (GroupKey(op.group.parent),)
        case _:
            return ()


def unread_parts(remote: RemoteState) -> list[str]:
    """The parts a broken-off read did not read whole, for the run's message."""
    return [p.value for p in RemotePart if not remote.read_whole(p)]
