"""The journal: one sync_runs row per target per cycle, one operations row per operation.

Every operation is written before its request (`planned`), marked `sent` just
before the request goes out, and `done` / `failed` (with the LMS's words) /
`skipped` after. A crash leaves `sent` rows: the next cycle's fresh fetch decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syncd.operations import Operation, changes
from syncd.redact import scrub
from syncd.store.schema import OperationRow, SyncRunRow

PLANNED, SENT, DONE, FAILED, SKIPPED = "planned", "sent", "done", "failed", "skipped"


def start_run(session: Session, target: str, *, dry_run: bool, now: dt.datetime) -> int:
    run = SyncRunRow(target=target, started_at=now, dry_run=dry_run, status="running", counts={})
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    counts: dict[str, Any],
    message: str | None,
    now: dt.datetime,
) -> None:
    run = session.get_one(SyncRunRow, run_id)
    run.status, run.counts, run.finished_at = status, counts, now
    run.message = scrub(message) if message else None


def record_plan(
    session: Session, run_id: int, target: str, ops: Iterable[Operation], now: dt.datetime
) -> list[int]:
    rows = [
        OperationRow(
            run_id=run_id,
            target=target,
            seq=seq,
            kind=op.KIND.value,
            object_key=op.key,
            payload=changes(op),
            status=PLANNED,
            attempts=0,
            updated_at=now,
        )
        for seq, op in enumerate(ops)
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def mark_sent(session: Session, op_ids: Sequence[int], now: dt.datetime) -> None:
    session.execute(
        update(OperationRow)
        .where(OperationRow.id.in_(op_ids))
        .values(status=SENT, attempts=OperationRow.attempts + 1, updated_at=now)
    )


def mark_outcome(
    session: Session,
    op_id: int,
    status: str,
    now: dt.datetime,
    *,
    error: str | None = None,
    remote_id: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": now, "error": _clean(error)}
    if remote_id is not None:
        values["remote_id"] = remote_id
    session.execute(update(OperationRow).where(OperationRow.id == op_id).values(**values))


def _clean(error: str | None) -> str | None:
    return scrub(error) if error else None


def run_operations(session: Session, run_id: int) -> list[OperationRow]:
    query = select(OperationRow).where(OperationRow.run_id == run_id).order_by(OperationRow.seq)
    return list(session.scalars(query))
