"""The journal: one sync_runs row per target per cycle, one operations row per operation.

Every operation is written before its request (`planned`), marked `sent` just
before the request goes out, and `done` / `failed` (with the LMS's words) /
`skipped` after. A process killed mid-run leaves its run `running` and rows `planned`
or `sent`: the next cycle of that target (which holds the lane, so the killer is gone)
closes the run as `interrupted`, skips what was never sent, and makes what was sent
`unconfirmed`, for its fresh read to settle like any answer syncd could not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from syncd.keys import ObjectKey
from syncd.operations import FieldValue, Operation, OpKind, before, changes, shown_key
from syncd.records import CourseCode, EmployeeId, LinkKind, RemoteId
from syncd.redact import scrub
from syncd.store.bulk import executemany
from syncd.store.keyparts import key_columns, key_of
from syncd.store.schema import OperationRow, SyncRunRow, table_of


class OpStatus(StrEnum):
    """Where a journaled operation stands: the `status` of its `operations` row, and of its
    `async_jobs` row while it waits on an LMS job (`pending`, then done, failed or expired).
    The values are the text the status tables have always held."""

    PLANNED = "planned"
    SENT = "sent"  # marked just before its request goes out
    WAITING = "waiting"  # the LMS answered with a job id: its job is pending
    PENDING = "pending"  # async_jobs only: the job has not settled
    DONE = "done"
    FAILED = "failed"  # with the LMS's words
    SKIPPED = "skipped"
    EXPIRED = "expired"  # its job is gone or outlived its lifetime: the next read decides
    # Answered 2xx in words syncd cannot read; settled by the next real cycle's read: DONE
    # when its plan no longer holds the operation, REPLANNED when it plans it again.
    UNCONFIRMED = "unconfirmed"
    REPLANNED = "replanned"


INTERRUPTED = "interrupted"  # a run whose process stopped before it could finish it


def start_run(session: Session, target: str, *, dry_run: bool, now: dt.datetime) -> int:
    run = SyncRunRow(target=target, started_at=now, dry_run=dry_run, status="running", counts={})
    session.add(run)
    session.flush()
    return run.id


Fingerprints = tuple[str, str]
"""The digests of HR's mirror and of a target's shadow and links (`store/fingerprints.py`)."""


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    counts: dict[str, Any],
    message: str | None,
    now: dt.datetime,
    drift: int = 0,
    side_effects: Mapping[str, int] | None = None,
    whole: bool = True,
    fingerprints: Fingerprints | None = None,
) -> None:
    run = session.get_one(SyncRunRow, run_id)
    run.status, run.counts, run.finished_at, run.drift = status, counts, now, drift
    run.side_effects, run.whole = dict(side_effects or {}), whole
    run.message = scrub(message) if message else None
    if fingerprints is not None:
        run.hr_fingerprint, run.lms_fingerprint = fingerprints


def set_fingerprints(session: Session, run_id: int, fingerprints: Fingerprints) -> None:
    """Keep on a run the fingerprints of what its plan was made from (a saved plan's)."""
    run = session.get_one(SyncRunRow, run_id)
    run.hr_fingerprint, run.lms_fingerprint = fingerprints


@dataclass(frozen=True, slots=True)
class Recovered:
    """What a cycle found left behind by runs whose process died."""

    found_at: dt.datetime
    runs: int = 0
    sent: int = 0  # now unconfirmed: the next read settles them
    skipped: int = 0


def recover_interrupted(
    session: Session, target: str, current_run: int, now: dt.datetime
) -> Recovered:
    """Close the target's runs left `running` by a process that died, but for the current one.

    Only a holder of the target's lane may call this: no other process runs it then."""
    runs = table_of(SyncRunRow)
    ops = table_of(OperationRow)
    dead = list(
        session.scalars(
            select(runs.c.id).where(
                runs.c.target == target, runs.c.status == "running", runs.c.id != current_run
            )
        )
    )
    if not dead:
        return Recovered(now)
    note = "the process stopped before this run finished; the next run settled what it sent"
    session.execute(
        update(runs)
        .where(runs.c.id.in_(dead))
        .values(status=INTERRUPTED, finished_at=now, message=note)
    )
    resolved = [
        _count(
            session.execute(
                update(ops)
                .where(ops.c.run_id.in_(dead), ops.c.status == before)
                .values(status=after, error=why, updated_at=now)
            )
        )
        for before, after, why in (
            (
                OpStatus.SENT,
                OpStatus.UNCONFIRMED,
                "sent just before the process stopped: the next read settles it",
            ),
            (OpStatus.PLANNED, OpStatus.SKIPPED, "not sent: the process stopped"),
        )
    ]
    return Recovered(now, len(dead), *resolved)


def _count(result: Result[Any]) -> int:
    """Rows an UPDATE touched."""
    return int(cast(CursorResult[Any], result).rowcount)


def last_in_step(session: Session, target: str) -> dt.datetime | None:
    """When the target's last run that left it in step with HR (a real run, status ok, its
    whole plan carried out) began."""
    return session.scalar(
        select(SyncRunRow.started_at)
        .where(SyncRunRow.target == target, SyncRunRow.status == "ok", ~SyncRunRow.dry_run)
        .where(SyncRunRow.whole)  # `apply --only` left the rest of its plan undone
        .order_by(SyncRunRow.id.desc())
        .limit(1)
    )


def record_plan(
    session: Session, run_id: int, target: str, ops: Iterable[Operation], now: dt.datetime
) -> int:
    """Journal every planned operation as (run_id, seq), seq being its place in the plan:
    read as a stream, written in chunks, so a plan of any length takes one chunk of memory."""
    rows = (_planned_row(run_id, target, seq, op, now) for seq, op in enumerate(ops))
    count = 0
    while chunk := list(islice(rows, PLAN_CHUNK)):
        executemany(session, INSERT_OPERATION, chunk)
        count += len(chunk)
    return count


PLAN_CHUNK = 5_000


def _planned_row(
    run_id: int, target: str, seq: int, op: Operation, now: dt.datetime
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "target": target,
        "seq": seq,
        "kind": op.KIND.value,
        "object_key": shown_key(op.KIND, op.key),
        "key_kind": op.key.link_kind.value,
        **key_columns(op.key),
        "payload": changes(op),
        "before": before(op) or None,
        "status": OpStatus.PLANNED.value,
        "attempts": 0,
        "error": None,
        "remote_id": None,
        "updated_at": now,
    }


INSERT_OPERATION = insert(table_of(OperationRow)).inline()  # executemany: no RETURNING


def mark_sent(session: Session, run_id: int, seqs: Sequence[int], now: dt.datetime) -> None:
    session.execute(
        update(OperationRow)
        .where(OperationRow.run_id == run_id, OperationRow.seq.in_(seqs))
        .values(status=OpStatus.SENT.value, attempts=OperationRow.attempts + 1, updated_at=now)
    )


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What became of one journaled operation, by its place in the plan."""

    seq: int
    status: OpStatus
    at: dt.datetime
    error: str | None = None
    remote_id: str | None = None


def record_statuses(session: Session, run_id: int, changes: Sequence[StatusChange]) -> None:
    """Write what became of each operation, all in one executemany."""
    if not changes:
        return
    rows = [
        {
            "b_run": run_id,
            "b_seq": o.seq,
            "b_status": o.status.value,
            "b_error": _clean(o.error),
            "b_remote": o.remote_id,
            "b_at": o.at,
        }
        for o in changes
    ]
    executemany(session, UPDATE_STATUS, rows)


_OPS = table_of(OperationRow)
UPDATE_STATUS = (
    update(_OPS)
    .where(_OPS.c.run_id == bindparam("b_run"), _OPS.c.seq == bindparam("b_seq"))
    .values(
        status=bindparam("b_status"),
        error=bindparam("b_error"),
        remote_id=bindparam("b_remote"),
        updated_at=bindparam("b_at"),
    )
)


def _clean(error: str | None) -> str | None:
    return scrub(error) if error else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One journaled operation as syncd reads it back: what, on which object, and how it went."""

    run_id: int
    seq: int
    kind: OpKind
    key: ObjectKey
    payload: Mapping[str, FieldValue]
    status: OpStatus
    attempts: int = 0
    error: str | None = None
    remote_id: RemoteId | None = None
    before: Mapping[str, FieldValue] = field(default_factory=dict)

    @property
    def shown_key(self) -> str:
        """The key as the plan and the `object_key` column show it."""
        return shown_key(self.kind, self.key)


def recorded_run(session: Session, run_id: int) -> SyncRunRow | None:
    """A run's row, as recorded (None: no such run)."""
    return session.get(SyncRunRow, run_id)


def run_operations(session: Session, run_id: int) -> list[Entry]:
    """A run's operations in plan order."""
    table = table_of(OperationRow)
    query = select(table).where(table.c.run_id == run_id).order_by(table.c.seq)
    return [_entry(row) for row in session.execute(query)]


def done_enrollments(session: Session, run_id: int) -> list[tuple[EmployeeId, CourseCode]]:
    """The (employee, course) of each enroll of the run the LMS took (`done`), in plan order."""
    table = table_of(OperationRow)
    query = (
        select(table.c.employee_id, table.c.course_code)
        .where(
            table.c.run_id == run_id,
            table.c.kind == OpKind.ENROLL.value,
            table.c.status == OpStatus.DONE.value,
        )
        .order_by(table.c.seq)
    )
    return [(EmployeeId(r.employee_id), CourseCode(r.course_code)) for r in session.execute(query)]


def unconfirmed(session: Session, target: str) -> list[Entry]:
    """The target's operations still waiting for a read to confirm them, oldest first."""
    table = table_of(OperationRow)
    query = (
        select(table)
        .where(table.c.target == target, table.c.status == OpStatus.UNCONFIRMED)
        .order_by(table.c.run_id, table.c.seq)
    )
    return [_entry(row) for row in session.execute(query)]


_KINDS = {kind.value: kind for kind in OpKind}  # lookups: calling an enum costs more
_LINK_KINDS = {kind.value: kind for kind in LinkKind}
_STATUSES = {status.value: status for status in OpStatus}


def _entry(row: Row[Any]) -> Entry:
    return Entry(
        run_id=row.run_id,
        seq=row.seq,
        kind=_KINDS[row.kind],
        key=key_of(_LINK_KINDS[row.key_kind], row),
        payload=row.payload,
        status=_STATUSES[row.status],
        attempts=row.attempts,
        error=row.error,
        remote_id=RemoteId(row.remote_id) if row.remote_id is not None else None,
        before=row.before or {},
    )
