"""Asynchronous jobs: operations an LMS answered with a job id, kept until the job settles.

One row per operation (a batch may share one job). Rows live in the database,
so a restarted syncd polls the same job ids. Settling a job settles its
operations in the journal too: done, failed (with the LMS's words) or expired.
A poll that failed is kept on the job's rows (`last_error`) until one works.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.orm import Session

from syncd.keys import ObjectKey
from syncd.operations import Operation, OpKind, shown_key
from syncd.records import LinkKind, RemoteId
from syncd.redact import scrub
from syncd.store.journal import OpStatus
from syncd.store.keyparts import key_columns, key_of
from syncd.store.schema import AsyncJobRow, OperationRow, table_of


@dataclass(frozen=True, slots=True)
class Waiting:
    """One operation answered with a job id."""

    seq: int
    operation: Operation
    job_id: str
    remote_id: RemoteId | None = None
    item: str | None = None  # the LMS's name for it inside a job of many (`Pending.item`)


def add_waiting(
    session: Session,
    target: str,
    run_id: int,
    waiting: Sequence[Waiting],
    *,
    now: dt.datetime,
    lifetime: dt.timedelta | None,
) -> None:
    """Record pending jobs and mark their operations `waiting` in the journal."""
    if not waiting:
        return
    expires = now + lifetime if lifetime else None
    session.add_all(
        AsyncJobRow(
            target=target,
            job_id=w.job_id,
            run_id=run_id,
            seq=w.seq,
            operation=w.operation.KIND.value,
            object_key=shown_key(w.operation.KIND, w.operation.key),
            key_kind=w.operation.key.link_kind.value,
            **key_columns(w.operation.key),
            remote_id=w.remote_id,
            item=w.item,
            status=OpStatus.PENDING.value,
            created_at=now,
            expires_at=expires,
            next_poll_at=now,
            polls=0,
        )
        for w in waiting
    )
    seqs = [w.seq for w in waiting]
    _journal(session, run_id, seqs, status=OpStatus.WAITING, error=None, now=now)


@dataclass(frozen=True, slots=True)
class JobEntry:
    """One operation waiting on a pending LMS job, as syncd reads it back. Times are
    timezone-aware UTC."""

    id: int
    job_id: str
    run_id: int
    seq: int
    operation: OpKind
    key: ObjectKey
    remote_id: RemoteId | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    polls: int = 0
    last_error: str | None = None  # why its last poll failed, until one works
    item: str | None = None  # the LMS's name for it inside a job of many


def due(
    session: Session, target: str, now: dt.datetime, *, all_pending: bool = False
) -> dict[str, list[JobEntry]]:
    """Pending rows whose next poll has come, grouped by job id. `all_pending` adds every
    job whose last poll worked, whatever its schedule; one whose last poll failed still
    waits for its back-off."""
    table = table_of(AsyncJobRow)
    query = select(table).where(table.c.target == target, table.c.status == OpStatus.PENDING)
    come = table.c.next_poll_at <= now
    query = query.where(or_(come, table.c.last_error.is_(None)) if all_pending else come)
    jobs: dict[str, list[JobEntry]] = defaultdict(list)
    for row in session.execute(query.order_by(table.c.id)):
        jobs[row.job_id].append(_entry(row))
    return dict(jobs)


def pending_rows(session: Session, target: str | None = None) -> list[JobEntry]:
    table = table_of(AsyncJobRow)
    query = select(table).where(table.c.status == OpStatus.PENDING)
    if target is not None:
        query = query.where(table.c.target == target)
    return [_entry(row) for row in session.execute(query.order_by(table.c.id))]


def _entry(row: Row[Any]) -> JobEntry:
    return JobEntry(
        id=row.id,
        job_id=row.job_id,
        run_id=row.run_id,
        seq=row.seq,
        operation=OpKind(row.operation),
        key=key_of(LinkKind(row.key_kind), row),
        remote_id=RemoteId(row.remote_id) if row.remote_id is not None else None,
        created_at=row.created_at,
        expires_at=row.expires_at,
        polls=row.polls,
        last_error=row.last_error,
        item=row.item,
    )


def postpone(
    session: Session,
    rows: Sequence[JobEntry],
    *,
    now: dt.datetime,
    until: dt.datetime,
    error: str | None = None,
) -> None:
    """The job is still pending: poll it again at `until`. `error`: why this poll failed
    (None: it worked, and an earlier poll's error is forgotten)."""
    ids = [r.id for r in rows]
    session.execute(
        update(AsyncJobRow)
        .where(AsyncJobRow.id.in_(ids))
        .values(
            last_polled_at=now,
            next_poll_at=until,
            polls=AsyncJobRow.polls + 1,
            last_error=scrub(error) if error else None,
        )
    )


def settle(
    session: Session,
    rows: Sequence[JobEntry],
    status: OpStatus,
    *,
    now: dt.datetime,
    error: str | None = None,
) -> None:
    """The job is over: its rows and its operations take `status` (done, failed, expired)."""
    clean = scrub(error) if error else None
    session.execute(
        update(AsyncJobRow)
        .where(AsyncJobRow.id.in_([r.id for r in rows]))
        .values(status=status.value, error=clean, last_polled_at=now, last_error=None)
    )
    by_run: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_run[row.run_id].append(row.seq)
    for run_id, seqs in by_run.items():
        _journal(session, run_id, seqs, status=status, error=clean, now=now)


def record_made(session: Session, made: Sequence[tuple[JobEntry, RemoteId]]) -> None:
    """The ids a settled job's creates were given, on their rows and their operations."""
    for row, remote_id in made:
        session.execute(
            update(AsyncJobRow).where(AsyncJobRow.id == row.id).values(remote_id=remote_id)
        )
        session.execute(
            update(OperationRow)
            .where(OperationRow.run_id == row.run_id, OperationRow.seq == row.seq)
            .values(remote_id=remote_id)
        )


def _journal(
    session: Session,
    run_id: int,
    seqs: list[int],
    *,
    status: OpStatus,
    error: str | None,
    now: dt.datetime,
) -> None:
    session.execute(
        update(OperationRow)
        .where(OperationRow.run_id == run_id, OperationRow.seq.in_(seqs))
        .values(status=status.value, error=error, updated_at=now)
    )
