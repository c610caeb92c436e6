"""The HR sinks: completions.csv (its columns, its atomic replacement, even under SIGKILL)
and the SQL sink table (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from syncd.errors import SyncdError
from syncd.hr.export import COMPLETIONS, sink_table, upsert_sql, write_completions
from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, Progress, TrainingRecord

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 3, 4, 16, 5, 7, tzinfo=dt.UTC)


def rec(emp: str, code: str, status: EnrollmentStatus, progress: Progress) -> TrainingRecord:
    return TrainingRecord(EmployeeId(emp), "docebo-main", CourseCode(code), status, progress)


DONE = rec("E1", "SEC-101", EnrollmentStatus.COMPLETED, Progress(T0, T1, 87.5, "completed"))
NEW = rec("E2", "SEC-101", EnrollmentStatus.ENROLLED, Progress())


def test_completions_csv_has_the_contract_columns_then_ours(tmp_path: Path) -> None:
    assert write_completions(tmp_path / "out", [(DONE, T1), (NEW, T0)]) == 2
    with (tmp_path / "out" / COMPLETIONS).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["employee_id", "target", "course_code", "status", "enrolled_at", "completed_at",
         "score", "raw_status", "updated_at"],
        ["E1", "docebo-main", "SEC-101", "completed", "2026-03-01T09:30:00Z",
         "2026-03-04T16:05:07Z", "87.5", "completed", "2026-03-04T16:05:07Z"],
        ["E2", "docebo-main", "SEC-101", "enrolled", "", "", "", "", "2026-03-01T09:30:00Z"],
    ]  # fmt: skip
    assert [p.name for p in (tmp_path / "out").iterdir()] == [COMPLETIONS]


def test_a_failing_writer_leaves_the_previous_file(tmp_path: Path) -> None:
    write_completions(tmp_path, [(DONE, T1)])
    before = (tmp_path / COMPLETIONS).read_bytes()

    def broken() -> object:
        yield (NEW, T0)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_completions(tmp_path, broken())  # type: ignore[arg-type]
    assert (tmp_path / COMPLETIONS).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [COMPLETIONS]


WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from pathlib import Path
    from syncd.hr.export import write_completions
    from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, Progress, TrainingRecord

    def rows():
        for n in range(1_000_000):
            if n == 5_000:
                print("half written", flush=True)
                time.sleep(60)
            record = TrainingRecord(EmployeeId(f"E{n}"), "t", CourseCode("C"),
                                    EnrollmentStatus.ENROLLED, Progress())
            yield record, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    write_completions(Path(sys.argv[1]), rows())
    """
)


def test_sigkill_while_writing_leaves_the_previous_complete_file(tmp_path: Path) -> None:
    write_completions(tmp_path, [(DONE, T1), (NEW, T0)])
    before = (tmp_path / COMPLETIONS).read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "half written"
        temp = [p for p in tmp_path.iterdir() if p.name != COMPLETIONS]
        assert len(temp) == 1  # the new file is being written beside the old one
        assert temp[0].stat().st_size > 0
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert (tmp_path / COMPLETIONS).read_bytes() == before
    write_completions(tmp_path, [(DONE, T1)])  # the next write clears the orphan
    assert [p.name for p in tmp_path.iterdir()] == [COMPLETIONS]


def sink_rows(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            table = sink_table("hr_completions")
            rows = conn.execute(select(table).order_by(table.c.employee_id)).all()
            return [tuple(_utc(v) for v in row) for row in rows]
    finally:
        engine.dispose()


def _utc(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def test_the_sql_sink_mirrors_the_records(database_url: str) -> None:
    """Created if missing, upserted by (employee_id, target, course_code), unchanged rows
    left alone, gone ones deleted."""
    assert upsert_sql(database_url, "hr_completions", [(DONE, T1), (NEW, T0)]) == 2
    assert upsert_sql(database_url, "hr_completions", [(DONE, T1), (NEW, T0)]) == 0
    started = rec("E2", "SEC-101", EnrollmentStatus.IN_PROGRESS, Progress(raw_status="1"))
    assert upsert_sql(database_url, "hr_completions", [(started, T1)]) == 1
    assert sink_rows(database_url) == [
        ("E2", "docebo-main", "SEC-101", "in_progress", None, None, None, "1", T1)
    ]


def test_a_failing_sink_says_which_table_and_why(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing-folder/hr.db"
    with pytest.raises(
        SyncdError, match=r"hr.sink: writing table hr_completions: .*unable to open"
    ):
        upsert_sql(url, "hr_completions", [(DONE, T1)])
