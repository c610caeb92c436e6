"""HR sinks: where training records go for HR — `completions.csv`, and a table of an SQL
database.

`completions.csv` has the contract's columns (`employee_id, target, course_code, status,
enrolled_at, completed_at, score`) then `raw_status, updated_at`; times are ISO 8601 UTC
(`2026-03-01T09:30:00Z`), missing values empty. A cell a spreadsheet would run as a
formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, OWASP's list) is
prefixed with `'`; the one exception is a score syncd formats itself from a finite number
(`-5` is a number, not a formula). It is replaced atomically: written to a temporary file
of its own beside it (`.<name>.<pid>.<random>.tmp`, created exclusively, so concurrent
writers, threads or processes, never share one), flushed and fsynced, renamed over the old
one, and the folder fsynced, so a reader (or a crash at any moment) sees the previous
complete file or a new one, never a part. Writers of one path in this process take turns.
A temporary file is removed as an orphan only when the process named in it is gone.

The SQL sink upserts the same rows into `[hr.sink] table` (created if missing), keyed by
(employee_id, target, course_code), in one transaction; rows of records that are gone
are deleted, so the table mirrors `training_records`. It stores values verbatim, and its
errors never show the rows it tried to write.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    select,
    tuple_,
)
from sqlalchemy.exc import SQLAlchemyError

from syncd.errors import SyncdError
from syncd.records import TrainingRecord

COMPLETIONS = "completions.csv"
COLUMNS = (
    "employee_id",
    "target",
    "course_code",
    "status",
    "enrolled_at",
    "completed_at",
    "score",
    "raw_status",
    "updated_at",
)
Exported = tuple[TrainingRecord, dt.datetime]  # a record and when syncd last saw it change


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: CSV injection
_NEEDS_QUOTES = re.compile(r'[",\r\n]')  # RFC 4180: such a cell is quoted
_BREAKS_OR_QUOTES = re.compile(r'["\r\n]')
_turns: defaultdict[Path, threading.RLock] = defaultdict(threading.RLock)
_turns_guard = threading.Lock()


def write_atomically(path: Path, content: str | Callable[[TextIO], None]) -> None:
    """Replace `path` with `content` (a text, or what a function writes), all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _turn(path):
        _remove_orphans(path)
        temp = _write_temp(path, content)
        try:
            temp.replace(path)
        finally:
            temp.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _turn(path: Path) -> threading.RLock:
    """The lock writers of `path` in this process take turns with (re-entrant: a write
    started from inside another, by the function writing it, does not deadlock)."""
    with _turns_guard:
        return _turns[path.absolute()]


def _write_temp(path: Path, content: str | Callable[[TextIO], None]) -> Path:
    """A new temporary file of this writer's own beside `path`, holding `content`, synced."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:
        with temp.open("x", encoding="utf-8", newline="") as handle:  # "x": never another's
            if isinstance(content, str):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _remove_orphans(path: Path) -> None:
    """Temporary files a killed writer left beside `path` (the process they name is gone)."""
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        middle = temp.name.removeprefix(f".{path.name}.").removesuffix(".tmp")
        pid = middle.split(".", 1)[0]  # "<pid>.<random>", or "<pid>" as older syncd named them
        if pid.isdigit() and not _alive(int(pid)):
            temp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_completions(folder: Path, records: Iterable[Exported]) -> int:
    """Write `folder/completions.csv`; the number of rows written."""
    count = 0

    def write(handle: TextIO) -> None:
        nonlocal count
        handle.write(_csv_line(COLUMNS))
        for record, updated_at in records:
            handle.write(_csv_line(_csv_values(record, updated_at)))
            count += 1

    write_atomically(folder / COMPLETIONS, write)
    return count


def _csv_line(cells: Sequence[str]) -> str:
    """One CSV record ending in "\\n" (RFC 4180 quoting: the csv module, told to end lines
    with "\\n", leaves a lone "\\r" in a cell unquoted, and readers break the row there).
    Most records need no quote: one look at the joined line tells (no quote, no line
    break, no comma but the separators)."""
    line = ",".join(cells)
    if line.count(",") == len(cells) - 1 and not _BREAKS_OR_QUOTES.search(line):
        return line + "\n"
    return ",".join(_quoted(cell) if _NEEDS_QUOTES.search(cell) else cell for cell in cells) + "\n"


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _csv_values(record: TrainingRecord, updated_at: dt.datetime) -> list[str]:
    p = record.progress
    return [
        _cell(record.employee_id),
        _cell(record.target),
        _cell(record.course_code),
        _cell(record.status.value),
        _iso(p.enrolled_at),
        _iso(p.completed_at),
        _score(p.score),
        _cell(p.raw_status or ""),
        _iso(updated_at),
    ]


def _cell(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it: a formula start gets a `'`."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _score(score: float | None) -> str:
    """A finite score is a plain number (even negative); anything else is text like any."""
    if score is None:
        return ""
    return f"{score:g}" if math.isfinite(score) else _cell(f"{score:g}")


@functools.lru_cache(maxsize=4096)  # many share a moment: a cycle's updated_at, a batch's dates
def _iso(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def sink_table(name: str) -> Table:
    """The sink table's shape (in its own MetaData: it lives in HR's database, not syncd's)."""
    return Table(
        name,
        MetaData(),
        Column("employee_id", String(255), primary_key=True),
        Column("target", String(255), primary_key=True),
        Column("course_code", String(255), primary_key=True),
        Column("status", String(32), nullable=False),
        Column("enrolled_at", DateTime(timezone=True)),
        Column("completed_at", DateTime(timezone=True)),
        Column("score", Float),
        Column("raw_status", String(255)),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


def upsert_sql(url: str, table_name: str, records: Iterable[Exported]) -> int:
    """Make the sink table hold exactly these records; the number of rows written."""
    table = sink_table(table_name)
    rows = {_key(r): {**r.columns(), "updated_at": at} for r, at in records}
    engine = create_engine(url, hide_parameters=True)  # errors never show HR's rows
    try:
        with engine.begin() as conn:
            table.create(conn, checkfirst=True)
            key = tuple_(table.c.employee_id, table.c.target, table.c.course_code)
            stored = {tuple(r[:3]): tuple(map(_normal, r)) for r in conn.execute(select(*table.c))}
            changed = [v for k, v in rows.items() if stored.get(k) != _row_tuple(v, table)]
            gone = [k for k in stored if k not in rows]
            for chunk in _chunks([_key_of(v) for v in changed] + gone, 500):
                conn.execute(delete(table).where(key.in_(chunk)))
            for chunk in _chunks(changed, 500):
                conn.execute(insert(table), chunk)
            return len(changed)
    except SQLAlchemyError as err:  # the database's own words (its URL's password is masked)
        raise SyncdError(f"hr.sink: writing table {table_name}: {err}") from err
    finally:
        engine.dispose()


def _key(record: TrainingRecord) -> tuple[str, str, str]:
    return (record.employee_id, record.target, record.course_code)


def _key_of(values: dict[str, Any]) -> tuple[str, str, str]:
    return (values["employee_id"], values["target"], values["course_code"])


def _row_tuple(values: dict[str, Any], table: Table) -> tuple[Any, ...]:
    return tuple(_normal(values[c.name]) for c in table.c)


def _normal(value: Any) -> Any:
    """A value as compared: moments in UTC, aware (SQLite hands back naive ones)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
