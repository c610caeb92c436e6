"""Training records (what each LMS says people did) and each target's read-back watermark.

`save_records` writes only what changed: a record whose values are as stored is left
alone, so `updated_at` says when syncd last saw a record change. Records go when read
back says so (`drop_records`), never as a side effect of a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, Progress, TrainingRecord
from syncd.store.bulk import executemany
from syncd.store.schema import ReadbackStateRow, TrainingRecordRow, table_of

RecordKey = tuple[EmployeeId, CourseCode]
STATUSES = {s.value: s for s in EnrollmentStatus}  # a lookup: calling the enum costs more
TABLE = table_of(TrainingRecordRow)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A training record with syncd's own times: first seen, last changed."""

    record: TrainingRecord
    first_seen_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Watermark:
    at: dt.datetime  # results changed before this moment have been read
    full_at: dt.datetime  # the last time every result was read


def load_records(session: Session, target: str) -> dict[RecordKey, TrainingRecord]:
    rows = session.execute(select(TABLE).where(TABLE.c.target == target))
    return {(EmployeeId(r.employee_id), CourseCode(r.course_code)): _record(r) for r in rows}


def record_chunks(
    session: Session, target: str, size: int = 2_000
) -> Iterator[dict[RecordKey, TrainingRecord]]:
    """The target's records in key order, `size` at a time, each chunk read whole before it
    is handed out (the caller may write between chunks)."""
    order = (TABLE.c.employee_id, TABLE.c.course_code)
    query = select(TABLE).where(TABLE.c.target == target).order_by(*order).limit(size)
    after: tuple[str, str] | None = None
    while True:
        page = query if after is None else query.where(tuple_(*order) > tuple_(*after))
        rows = session.execute(page).all()
        if not rows:
            return
        yield {(EmployeeId(r.employee_id), CourseCode(r.course_code)): _record(r) for r in rows}
        after = (rows[-1].employee_id, rows[-1].course_code)


def save_records(
    session: Session,
    target: str,
    records: Iterable[TrainingRecord],
    now: dt.datetime,
    *,
    stored: Mapping[RecordKey, TrainingRecord] | None = None,
) -> int:
    """Insert new records and update changed ones; the number written. `stored`: the
    target's records as `load_records` gave them, when the caller has them already."""
    if stored is None:
        stored = load_records(session, target)
    fresh, changed = [], []
    for record in records:
        before = stored.get((record.employee_id, record.course_code))
        if before is None:
            fresh.append({**record.columns(), "first_seen_at": now, "updated_at": now})
        elif before != record:
            changed.append(record)
    executemany(session, INSERT, fresh)
    executemany(session, UPDATE, [_bound({**r.columns(), "updated_at": now}) for r in changed])
    return len(fresh) + len(changed)


INSERT = insert(TABLE)


# One statement for many rows (executemany): every column by a bound `b_` parameter.
_SET = ("status", "enrolled_at", "completed_at", "score", "raw_status", "updated_at")
UPDATE = (
    update(TABLE)
    .where(
        TABLE.c.target == bindparam("b_target"),
        TABLE.c.employee_id == bindparam("b_employee_id"),
        TABLE.c.course_code == bindparam("b_course_code"),
    )
    .values({name: bindparam(f"b_{name}") for name in _SET})
)


def _bound(values: dict[str, object]) -> dict[str, object]:
    return {f"b_{name}": value for name, value in values.items()}


def drop_records(session: Session, target: str, keys: Iterable[RecordKey]) -> int:
    dropped = 0
    for employee_id, course_code in keys:
        result = session.execute(delete(TABLE).where(_key(target, employee_id, course_code)))
        dropped += result.rowcount or 0  # type: ignore[attr-defined]
    return dropped


def every_record(session: Session) -> Iterator[StoredRecord]:
    """All targets' records, in (employee, target, course) order, streamed."""
    order = (TABLE.c.employee_id, TABLE.c.target, TABLE.c.course_code)
    for row in session.execute(select(TABLE).order_by(*order).execution_options(yield_per=2000)):
        yield StoredRecord(_record(row), row.first_seen_at, row.updated_at)


def exported_records(session: Session) -> Iterator[tuple[TrainingRecord, dt.datetime]]:
    """All targets' records with when each last changed (what the HR sinks hold), in
    `every_record`'s order, streamed; first seen is not read."""
    order = (TABLE.c.employee_id, TABLE.c.target, TABLE.c.course_code)
    columns = [c for c in TABLE.c if c.name != "first_seen_at"]
    query = select(*columns).order_by(*order).execution_options(yield_per=2000)
    for row in session.execute(query):
        yield _record(row), row.updated_at


def count_records(session: Session, target: str) -> dict[str, int]:
    """The target's records by status."""
    query = (
        select(TABLE.c.status, func.count().label("n"))
        .where(TABLE.c.target == target)
        .group_by(TABLE.c.status)
        .order_by(TABLE.c.status)
    )
    return {row.status: row.n for row in session.execute(query)}


def watermark(session: Session, target: str) -> Watermark | None:
    row = session.get(ReadbackStateRow, target)
    return None if row is None else Watermark(row.watermark, row.full_at)


def set_watermark(session: Session, target: str, at: dt.datetime, *, full: bool) -> None:
    row = session.get(ReadbackStateRow, target)
    if row is None:
        session.add(ReadbackStateRow(target=target, watermark=at, full_at=at))
        return
    row.watermark = at
    if full:
        row.full_at = at


def _key(target: str, employee_id: str, course_code: str) -> Any:
    return and_(
        TABLE.c.target == target,
        TABLE.c.employee_id == employee_id,
        TABLE.c.course_code == course_code,
    )


def _record(r: Row[Any]) -> TrainingRecord:
    progress = Progress(r.enrolled_at, r.completed_at, r.score, r.raw_status)
    status = STATUSES[r.status]
    return TrainingRecord(
        EmployeeId(r.employee_id), r.target, CourseCode(r.course_code), status, progress
    )
