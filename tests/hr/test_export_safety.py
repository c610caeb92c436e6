"""completions.csv under concurrent writers (every published version whole, no crash), orphan
clean-up that spares live writers, and cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pytest
from sqlalchemy import create_engine, select, text

from syncd.errors import SyncdError
from syncd.hr.export import (
    COLUMNS,
    COMPLETIONS,
    sink_table,
    upsert_sql,
    write_atomically,
    write_completions,
)
from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, Progress, TrainingRecord

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
FORMULA = '=HYPERLINK("http://evil.example","x")'


def rec(emp: str, code: str = "SEC-101", score: float | None = None) -> TrainingRecord:
    progress = Progress(T0, T0 if score is not None else None, score, "completed")
    status = EnrollmentStatus.COMPLETED if score is not None else EnrollmentStatus.ENROLLED
    return TrainingRecord(EmployeeId(emp), "docebo-main", CourseCode(code), status, progress)


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as err:  # handed to the test thread
            errors.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


# --- concurrent writers ---------------------------------------------------------------


def test_a_write_started_during_another_leaves_both_whole(tmp_path: Path) -> None:
    """The second write starts and ends while the first is half written (here from inside
    it: across threads, writers of one path take turns); each has its own temporary file."""
    path = tmp_path / COMPLETIONS
    seen: list[str] = []

    def slow(handle: TextIO) -> None:
        handle.write("first writer, first half\n")
        write_atomically(path, "second writer\n")
        seen.append(path.read_text(encoding="utf-8"))
        handle.write("first writer, second half\n")

    write_atomically(path, slow)
    assert seen == ["second writer\n"]
    assert (
        path.read_text(encoding="utf-8") == "first writer, first half\nfirst writer, second half\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == [COMPLETIONS]


def whole(version: str, rows: int) -> bool:
    """A complete completions.csv of one write: the header and that writer's `rows` rows."""
    table = list(csv.reader(io.StringIO(version, newline="")))
    writes = {row[0].rsplit("N", 1)[0] for row in table[1:]}
    return bool(table) and table[0] == list(COLUMNS) and len(table) == rows + 1 and len(writes) == 1


def test_many_threads_exporting_at_once_publish_only_whole_files(tmp_path: Path) -> None:
    writers, rounds, rows = 6, 15, 300
    done = threading.Event()
    reads, broken = [0], []

    def export(writer: int) -> None:
        for round_ in range(rounds):
            records = [(rec(f"W{writer}R{round_}N{n}"), T0) for n in range(rows)]
            write_completions(tmp_path, records)

    def read() -> None:
        while not done.is_set():
            try:
                version = (tmp_path / COMPLETIONS).read_text(encoding="utf-8")
            except FileNotFoundError:  # not written yet
                continue
            reads[0] += 1
            if not whole(version, rows):
                broken.append(version[:200])

    reader, reader_errors = in_thread(read)
    threads = [in_thread(functools.partial(export, w)) for w in range(writers)]
    for thread, _ in threads:
        thread.join(120)
    done.set()
    reader.join(30)
    assert [err for _, errors in threads for err in errors] == []
    assert (reader_errors, broken) == ([], [])
    assert reads[0] > 0
    assert whole((tmp_path / COMPLETIONS).read_text(encoding="utf-8"), rows)
    assert [p.name for p in tmp_path.iterdir()] == [COMPLETIONS]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_orphan_cleanup_removes_dead_writers_files_and_spares_live_ones(tmp_path: Path) -> None:
    dead = _dead_pid()
    live = [f".{COMPLETIONS}.{os.getpid()}.tmp", f".{COMPLETIONS}.{os.getpid()}.k3x9q.tmp"]
    orphans = [f".{COMPLETIONS}.{dead}.tmp", f".{COMPLETIONS}.{dead}.a1b2c.tmp"]
    for name in live + orphans:
        (tmp_path / name).write_text("half a file", encoding="utf-8")
    write_completions(tmp_path, [(rec("E1"), T0)])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([COMPLETIONS, *live])


# --- CSV injection --------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    tmp_path: Path, cell: str
) -> None:
    record = TrainingRecord(
        EmployeeId(cell), "docebo-main", CourseCode(cell), EnrollmentStatus.COMPLETED,
        Progress(T0, T0, 90.0, cell),
    )  # fmt: skip
    write_completions(tmp_path, [(record, T0)])
    [_, row] = csv_rows(tmp_path / COMPLETIONS)
    assert (row[0], row[2], row[7]) == (f"'{cell}",) * 3


def test_a_line_break_inside_a_cell_stays_in_its_row(tmp_path: Path) -> None:
    record = TrainingRecord(
        EmployeeId("E1"), "docebo-main", CourseCode("SEC-101"), EnrollmentStatus.COMPLETED,
        Progress(T0, T0, 90.0, "passed\rwith honours"),
    )  # fmt: skip
    write_completions(tmp_path, [(record, T0)])
    [_, row] = csv_rows(tmp_path / COMPLETIONS)
    assert row[7] == "passed\rwith honours"


def test_a_negative_score_is_written_as_a_plain_number(tmp_path: Path) -> None:
    write_completions(tmp_path, [(rec("E1", score=-5.0), T0), (rec("E2", score=87.5), T0)])
    assert [row[6] for row in csv_rows(tmp_path / COMPLETIONS)[1:]] == ["-5", "87.5"]


def test_a_score_that_is_not_a_finite_number_is_written_as_text(tmp_path: Path) -> None:
    write_completions(tmp_path, [(rec("E1", score=float("-inf")), T0)])
    assert csv_rows(tmp_path / COMPLETIONS)[1][6] == "'-inf"


def test_ordinary_cells_are_written_unchanged(tmp_path: Path) -> None:
    write_completions(tmp_path, [(rec("E-1'x", score=1.0), T0), (rec("é=1"), T0)])
    assert [row[0] for row in csv_rows(tmp_path / COMPLETIONS)[1:]] == ["E-1'x", "é=1"]


def test_the_sql_sink_stores_formula_looking_values_verbatim(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    upsert_sql(url, "hr_completions", [(rec(FORMULA), T0)])
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            table = sink_table("hr_completions")
            assert conn.execute(select(table.c.employee_id)).scalars().all() == [FORMULA]
    finally:
        engine.dispose()


def test_a_sink_error_does_not_show_the_rows_it_tried_to_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # a table of the right name HR made with a column we lack
        conn.execute(text("CREATE TABLE hr_completions (employee_id TEXT, target TEXT,"
                          " course_code TEXT, status TEXT, enrolled_at TIMESTAMP,"
                          " completed_at TIMESTAMP, score FLOAT, raw_status TEXT,"
                          " updated_at TIMESTAMP, owner TEXT NOT NULL)"))  # fmt: skip
    engine.dispose()
    record = TrainingRecord(
        EmployeeId("E1"), "docebo-main", CourseCode("SEC-101"), EnrollmentStatus.COMPLETED,
        Progress(T0, T0, 90.0, "secret-marker-value"),
    )  # fmt: skip
    with pytest.raises(SyncdError) as caught:
        upsert_sql(url, "hr_completions", [(record, T0)])
    assert "NOT NULL" in str(caught.value)
    assert "secret-marker-value" not in str(caught.value)
