"""What an operation changes in the links once the LMS has done it (or failed to).

Computed from the journal's view of an operation (kind, key, remote id), so the
apply lane and the job poller, which sees only journal rows, share one rule.
Additive operations take effect when sent (a pending job reserves its link, so
the next cycle neither repeats nor forgets it); removals only when done.
"""

from __future__ import annotations

from syncd.keys import ObjectKey, UserKey
from syncd.operations import OpKind
from syncd.records import RemoteId
from syncd.store.links import CREATED, LinkChanges

ADDITIVE = frozenset({OpKind.CREATE_USER, OpKind.CREATE_GROUP, OpKind.ADD_MEMBER, OpKind.ENROLL})
CREATES = frozenset({OpKind.CREATE_USER, OpKind.CREATE_GROUP})  # linked only by the id they made
REMOVALS = frozenset({OpKind.DELETE_GROUP, OpKind.REMOVE_MEMBER, OpKind.UNENROLL})


def record_effect(
    kind: OpKind, key: ObjectKey, remote_id: RemoteId | None, links: LinkChanges
) -> None:
    """The links after `kind` on `key` was carried out."""
    if kind in ADDITIVE:
        links.put(key, remote_id or RemoteId(""), origin=CREATED)
    elif kind in REMOVALS:
        links.drop(key)
    elif kind is OpKind.DELETE_USER and isinstance(key, UserKey):
        links.drop_user(key.employee_id)  # the account, its memberships and enrollments are gone
    # adoptions are linked by the lane; updates, moves and status changes keep their links


def undo_effect(kind: OpKind, key: ObjectKey, links: LinkChanges) -> None:
    """Take back the link an additive operation reserved, when its job failed."""
    if kind in ADDITIVE:
        links.drop(key)
