"""Read back's writes, set-based: what the LMS showed, merged into the training records in SQL.

`Observed` stages one read's records in a temporary table (from Python, or straight from
the target's shadow enrollments, named through staged user and course tables), then
`merge` updates the stored records that differ, inserts the new ones and drops the
untouched ones the read no longer shows, one statement each: a read that changes nothing
writes nothing and brings no record into Python. The merge is `readback.filled`'s rule:
a value the read does not carry keeps the stored one while the status is the same; the
enrollment date is kept whatever the status. Used by `reconcile/readback.py` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Column,
    CursorResult,
    Float,
    Insert,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, RemoteId, TrainingRecord
from syncd.store.bulk import executemany
from syncd.store.schema import KEY, UTC, ShadowEnrollmentRow, TrainingRecordRow, table_of

TABLE = table_of(TrainingRecordRow)
SHADOW = table_of(ShadowEnrollmentRow)
_META = MetaData()
OBSERVED = Table(
    "readback_observed",
    _META,
    Column("employee_id", KEY, primary_key=True),
    Column("course_code", KEY, primary_key=True),
    Column("status", String(32), nullable=False),
    Column("enrolled_at", UTC),
    Column("completed_at", UTC),
    Column("score", Float),
    Column("raw_status", KEY),
    prefixes=["TEMPORARY"],
)
PEOPLE = Table(
    "readback_people",
    _META,
    Column("remote_id", KEY, primary_key=True),
    Column("employee_id", KEY, nullable=False),
    prefixes=["TEMPORARY"],
)
COURSES = Table(
    "readback_courses",
    _META,
    Column("remote_id", KEY, primary_key=True),
    Column("course_code", KEY, nullable=False),
    prefixes=["TEMPORARY"],
)
_STAGES = (OBSERVED, PEOPLE, COURSES)
# A write that changes nothing, so SQLite's transaction takes the write lock (waiting its
# busy timeout for another writer) before staging reads the database: a read transaction
# cannot become a write one once another connection has committed (SQLITE_BUSY_SNAPSHOT,
# "database is locked" at once, never waited out).
_WRITE_FIRST = "UPDATE training_records SET status = status WHERE 0"
_VALUES = ("status", "enrolled_at", "completed_at", "score", "raw_status")


@dataclass(frozen=True, slots=True)
class Merged:
    changed: int  # records written (new or changed)
    dropped: int  # untouched records the read no longer shows
    records: int  # the target's records after the merge


class Observed:
    """One read's records of one target, staged on the session's connection until `close`."""

    def __init__(self, session: Session, target: str) -> None:
        self._session, self._target = session, target
        self._postgres = session.get_bind().dialect.name == "postgresql"
        connection = session.connection()
        if not self._postgres:  # SQLite: the write lock first (`_WRITE_FIRST`)
            connection.exec_driver_sql(_WRITE_FIRST)
        for table in _STAGES:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self._temp(table)}")
            table.create(connection)

    def add(self, records: Iterable[TrainingRecord]) -> None:
        """Stage records (each key once: the caller's records are a dict's values)."""
        rows = [_observed(r) for r in records]
        executemany(self._session, OBSERVED.insert(), rows)

    def add_absent(self, records: Iterable[TrainingRecord]) -> None:
        """Stage records whose key the read did not show."""
        rows = [_observed(r) for r in records]
        executemany(self._session, self._insert(OBSERVED).on_conflict_do_nothing(), rows)

    def from_shadow(
        self, people: Mapping[RemoteId, EmployeeId], courses: Mapping[RemoteId, CourseCode]
    ) -> tuple[int, int]:
        """Stage the target's shadow enrollments, named: the people by their remote ids,
        the courses by theirs. (staged, unnamed): an enrollment of an account or a course
        without a name is left out; of two with one key, one is staged."""
        executemany(self._session, PEOPLE.insert(), _pairs(people, "employee_id"))
        executemany(self._session, COURSES.insert(), _pairs(courses, "course_code"))
        named = (
            select(PEOPLE.c.employee_id, COURSES.c.course_code, *(SHADOW.c[n] for n in _VALUES))
            .join(PEOPLE, PEOPLE.c.remote_id == SHADOW.c.user_remote_id)
            .join(COURSES, COURSES.c.remote_id == SHADOW.c.course_remote_id)
            .where(SHADOW.c.target == self._target)
        )
        names = ("employee_id", "course_code", *_VALUES)
        staged = self._insert(OBSERVED).from_select(names, named).on_conflict_do_nothing()
        run = self._session.execute
        staged_rows = _count(run(staged.execution_options(preserve_rowcount=True)))
        read = run(select(func.count()).where(SHADOW.c.target == self._target)).scalar_one()
        matched = run(select(func.count()).select_from(named.subquery())).scalar_one()
        return staged_rows, read - matched

    def merge(self, now: dt.datetime, *, complete: bool) -> Merged:
        """Bring the target's records to what was staged; `complete`: the read showed
        every enrollment, so an untouched record it did not show goes."""
        run = self._session.execute
        changed = _count(run(self._update(now).execution_options(preserve_rowcount=True)))
        changed += _count(run(self._new(now).execution_options(preserve_rowcount=True)))
        dropped = _count(run(self._gone())) if complete else 0
        records = run(select(func.count()).where(TABLE.c.target == self._target)).scalar_one()
        return Merged(changed, dropped, records)

    def close(self) -> None:
        connection = self._session.connection()
        for table in _STAGES:
            connection.exec_driver_sql(f"DROP TABLE {self._temp(table)}")

    def _update(self, now: dt.datetime) -> Any:
        o, t = OBSERVED.c, TABLE.c
        same = o.status == t.status
        merged = {
            "status": o.status,
            "enrolled_at": func.coalesce(o.enrolled_at, t.enrolled_at),
            "completed_at": case(
                (o.completed_at.is_not(None), o.completed_at), (same, t.completed_at)
            ),
            "score": case((or_(o.score.is_not(None), ~same), o.score), else_=t.score),
            "raw_status": case(
                (func.coalesce(o.raw_status, "") != "", o.raw_status), (same, t.raw_status)
            ),
        }
        differs = or_(*(value.is_distinct_from(t[name]) for name, value in merged.items()))
        return (
            update(TABLE)
            .where(self._same_key(), differs)
            .values({**merged, "updated_at": literal(now, UTC)})
        )

    def _new(self, now: dt.datetime) -> Insert:
        at = literal(now, UTC)
        source = select(
            literal(self._target, KEY),
            *(OBSERVED.c[n] for n in ("employee_id", "course_code", *_VALUES)),
            at,
            at,
        ).where(~exists().where(self._same_key()))
        names = ("target", "employee_id", "course_code", *_VALUES, "first_seen_at", "updated_at")
        return TABLE.insert().from_select(names, source)

    def _gone(self) -> Any:
        return delete(TABLE).where(
            TABLE.c.target == self._target,
            TABLE.c.status == EnrollmentStatus.ENROLLED.value,
            ~exists().where(self._same_key()),
        )

    def _same_key(self) -> Any:
        return and_(
            TABLE.c.target == self._target,
            TABLE.c.employee_id == OBSERVED.c.employee_id,
            TABLE.c.course_code == OBSERVED.c.course_code,
        )

    def _insert(self, table: Table) -> Any:
        return (postgresql.insert if self._postgres else sqlite.insert)(table)

    def _temp(self, table: Table) -> str:
        """The table's name in the temporary schema (never another's)."""
        return f"pg_temp.{table.name}" if self._postgres else f"temp.{table.name}"


def _observed(record: TrainingRecord) -> dict[str, object]:
    values = record.columns()
    del values["target"]
    return values


def _pairs(names: Mapping[RemoteId, str], column: str) -> list[dict[str, str]]:
    return [{"remote_id": rid, column: name} for rid, name in names.items()]


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
