"""Training records and read-back watermarks in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, Progress, TrainingRecord
from syncd.store.db import session_factory
from syncd.store.training import (
    count_records,
    drop_records,
    every_record,
    load_records,
    save_records,
    set_watermark,
    watermark,
)

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)


def record(emp: str, code: str, status: EnrollmentStatus, **progress: object) -> TrainingRecord:
    return TrainingRecord(
        EmployeeId(emp),
        "lms",
        CourseCode(code),
        status,
        Progress(**progress),  # type: ignore[arg-type]
    )


DONE = record(
    "E1", "SEC-101", EnrollmentStatus.COMPLETED,
    enrolled_at=T0, completed_at=T1, score=87.5, raw_status="completed",
)  # fmt: skip
STARTED = record("E2", "SEC-101", EnrollmentStatus.IN_PROGRESS, enrolled_at=T0)


def test_records_round_trip_with_aware_times(engine: Engine) -> None:
    with session_factory(engine)() as s:
        assert save_records(s, "lms", [DONE, STARTED], T0) == 2
        s.commit()
    with session_factory(engine)() as s:
        stored = load_records(s, "lms")
        assert stored == {("E1", "SEC-101"): DONE, ("E2", "SEC-101"): STARTED}
        assert stored["E1", "SEC-101"].progress.completed_at == T1  # aware, UTC, exact
        assert count_records(s, "lms") == {"completed": 1, "in_progress": 1}
        assert count_records(s, "other") == {}


def test_only_changed_records_are_written_and_dated(engine: Engine) -> None:
    with session_factory(engine)() as s:
        save_records(s, "lms", [DONE, STARTED], T0)
        s.commit()
        finished = record("E2", "SEC-101", EnrollmentStatus.COMPLETED, enrolled_at=T0)
        assert save_records(s, "lms", [DONE, finished], T1) == 1
        s.commit()
        rows = {(r.record.employee_id, r.updated_at, r.first_seen_at) for r in every_record(s)}
    assert rows == {("E1", T0, T0), ("E2", T1, T0)}


def test_records_are_dropped_by_key_and_streamed_in_order(engine: Engine) -> None:
    other = TrainingRecord(EmployeeId("E1"), "another", CourseCode("A"), DONE.status, Progress())
    with session_factory(engine)() as s:
        save_records(s, "lms", [DONE, STARTED], T0)
        save_records(s, "another", [other], T0)
        assert drop_records(s, "lms", [(EmployeeId("E2"), CourseCode("SEC-101"))]) == 1
        assert drop_records(s, "lms", [(EmployeeId("E9"), CourseCode("X"))]) == 0
        s.commit()
        order = [(r.record.employee_id, r.record.target) for r in every_record(s)]
    assert order == [("E1", "another"), ("E1", "lms")]


def test_the_watermark_moves_and_remembers_the_last_full_read(engine: Engine) -> None:
    with session_factory(engine)() as s:
        assert watermark(s, "lms") is None
        set_watermark(s, "lms", T0, full=True)
        s.commit()
        set_watermark(s, "lms", T1, full=False)
        s.commit()
        mark = watermark(s, "lms")
    assert mark is not None
    assert (mark.at, mark.full_at) == (T1, T0)
