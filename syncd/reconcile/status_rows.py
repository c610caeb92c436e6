"""Which user (de)activations travel as rows of the user-write request.

Where one user-write request creates and updates users and also sets their active status
in its rows (`Capabilities.upserts_users` and `status_in_user_rows`), `batching.batches`
asks `status_rows` once per plan. The joining steps move to just after the plan's last
user row (reactivations' phase follows the updates anyway; deactivations move up). The
plan itself, and each operation's place in the journal, are unchanged; only how steps are
packed is.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from syncd.connectors.base import Capabilities
from syncd.keys import GroupKey
from syncd.operations import Operation, OpKind
from syncd.records import EmployeeId

Step = tuple[int, Operation]  # (place in the plan, operation)
ROWS = frozenset({OpKind.CREATE_USER, OpKind.UPDATE_USER})
STATUSES = frozenset({OpKind.REACTIVATE_USER, OpKind.DEACTIVATE_USER})


def status_rows(steps: Sequence[Step], capabilities: Capabilities) -> tuple[list[Step], set[int]]:
    """The steps, with the (de)activations that join the user rows placed after them, and
    those steps' plan places. They join when the plan has user rows and the rows' requests
    with them are no more than without them plus the status calls they would need apart.
    A reactivation joins (its phase follows the updates) unless its person also has a user
    row; a deactivation only when the plan holds no other step of its person (its place,
    last, then guards nothing)."""
    if not (capabilities.upserts_users and capabilities.status_in_user_rows):
        return list(steps), set()
    rows = sum(1 for _, op in steps if op.KIND in ROWS)
    written = {_person(op) for _, op in steps if op.KIND in ROWS}
    others = {_person(op) for _, op in steps if op.KIND is not OpKind.DEACTIVATE_USER}
    joining = [step for step in steps if _may_join(step[1], written, others)]
    if not rows or not joining or not _no_dearer(rows, joining, capabilities):
        return list(steps), set()
    joined = {seq for seq, _ in joining}
    kept = [step for step in steps if step[0] not in joined]
    last = max(i for i, (_, op) in enumerate(kept) if op.KIND in ROWS)
    return kept[: last + 1] + joining + kept[last + 1 :], joined


def _may_join(
    op: Operation, written: set[EmployeeId | None], others: set[EmployeeId | None]
) -> bool:
    """A reactivation whose person has no user row; a deactivation whose has no step."""
    if op.KIND is OpKind.REACTIVATE_USER:
        return _person(op) not in written
    return op.KIND is OpKind.DEACTIVATE_USER and _person(op) not in others


def _no_dearer(rows: int, joining: list[Step], capabilities: Capabilities) -> bool:
    """Whether the rows' requests with `joining` are no more than without them plus the
    status calls `joining` would take apart."""
    size = max(1, capabilities.batch_size(OpKind.CREATE_USER))
    apart = ceil(rows / size)
    for kind in STATUSES:
        count = sum(1 for _, op in joining if op.KIND is kind)
        apart += ceil(count / max(1, capabilities.batch_size(kind)))
    return ceil((rows + len(joining)) / size) <= apart


def _person(op: Operation) -> EmployeeId | None:
    key = op.key
    return None if isinstance(key, GroupKey) else key.person
