"""What an operation changes in the links once the LMS has done it (or failed to).

Computed from the journal's view of an operation (kind, key, remote id), so the
apply lane and the job poller, which sees only journal rows, share one rule.
Additive operations take effect when sent (a pending job reserves its link, so
the next cycle neither repeats nor forgets it); removals only when done.
"""

from __future__ import annotations

from syncd.operations import OpKind
from syncd.records import GroupRef, LinkKind
from syncd.store.links import CREATED, LinkChanges

ADDITIVE = frozenset({OpKind.CREATE_USER, OpKind.CREATE_GROUP, OpKind.ADD_MEMBER, OpKind.ENROLL})
CREATES = frozenset({OpKind.CREATE_USER, OpKind.CREATE_GROUP})  # linked only by the id they made


def record_effect(kind: OpKind, key: str, remote_id: str | None, links: LinkChanges) -> None:
    """The links after `kind` on `key` was carried out."""
    rid = remote_id or ""
    match kind:
        case OpKind.CREATE_USER:
            links.put(LinkKind.USER, key, rid, origin=CREATED)
        case OpKind.CREATE_GROUP:
            ref = GroupRef.parse(key)
            links.put(LinkKind.of_group(ref.kind), ref.code, rid, origin=CREATED)
        case OpKind.ADD_MEMBER:
            links.put(LinkKind.MEMBERSHIP, key, rid, origin=CREATED)
        case OpKind.ENROLL:
            links.put(LinkKind.ENROLLMENT, key, rid, origin=CREATED)
        case OpKind.DELETE_GROUP:
            ref = GroupRef.parse(key)
            links.drop(LinkKind.of_group(ref.kind), ref.code)
        case OpKind.DELETE_USER:  # the account, its memberships and enrollments are gone
            links.drop_user(key)
        case OpKind.REMOVE_MEMBER:
            links.drop(LinkKind.MEMBERSHIP, key)
        case OpKind.UNENROLL:
            links.drop(LinkKind.ENROLLMENT, key)
        case _:
            return  # adoptions are linked by the lane; updates, moves and status keep their links


def undo_effect(kind: OpKind, key: str, links: LinkChanges) -> None:
    """Take back the link an additive operation reserved, when its job failed."""
    if kind is OpKind.CREATE_GROUP:
        ref = GroupRef.parse(key)
        links.drop(LinkKind.of_group(ref.kind), ref.code)
    elif kind in ADDITIVE:
        link_kind = {
            OpKind.CREATE_USER: LinkKind.USER,
            OpKind.ADD_MEMBER: LinkKind.MEMBERSHIP,
            OpKind.ENROLL: LinkKind.ENROLLMENT,
        }[kind]
        links.drop(link_kind, key)
