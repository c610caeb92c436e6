"""The rolling window of removals: how many leavers syncd removed from a target lately.

Called by the cycle just before its safety check (`reconcile/safety.py`, the limit
`safety.max_deactivate_per_week`). Counts, from the operations journal, the target's
user deactivations and deletions the LMS took (`done`, `waiting` on its job, or
`unconfirmed`) since a moment; a dry run sends nothing, so it counts nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syncd.operations import OpKind
from syncd.store.journal import OpStatus
from syncd.store.schema import OperationRow

REMOVALS = (OpKind.DEACTIVATE_USER.value, OpKind.DELETE_USER.value)
TAKEN = (OpStatus.DONE, OpStatus.WAITING, OpStatus.UNCONFIRMED)  # what may have reached the LMS


def removed_users(session: Session, target: str, *, since: dt.datetime) -> int:
    """Users of `target` deactivated or deleted (as far as syncd knows) since `since`."""
    query = select(func.count()).where(
        OperationRow.target == target,
        OperationRow.kind.in_(REMOVALS),
        OperationRow.status.in_(TAKEN),
        OperationRow.updated_at >= since,
    )
    return session.scalar(query) or 0
