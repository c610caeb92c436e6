"""HR sinks: where training records go for HR — `completions.csv`, and a table of an SQL
database.

`completions.csv` has the contract's columns (`employee_id, target, course_code, status,
enrolled_at, completed_at, score`) then `raw_status, updated_at`; times are ISO 8601 UTC
(`2026-03-01T09:30:00Z`), missing values empty. It is replaced atomically: written to a
temporary file beside it, flushed and fsynced, renamed over the old one, and the folder
fsynced, so a reader (or a crash at any moment) sees the previous complete file or the
new one, never a part.

The SQL sink upserts the same rows into `[hr.sink] table` (created if missing), keyed by
(employee_id, target, course_code), in one transaction; rows of records that are gone
are deleted, so the table mirrors `training_records`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterable
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


def write_atomically(path: Path, content: str | Callable[[TextIO], None]) -> None:
    """Replace `path` with `content` (a text, or what a function writes), all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            if isinstance(content, str):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _remove_orphans(path: Path) -> None:
    """Temporary files a killed writer left beside `path` (its process is gone)."""
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = temp.name.removeprefix(f".{path.name}.").removesuffix(".tmp")
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
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(COLUMNS)
        for record, updated_at in records:
            out.writerow(_csv_values(record, updated_at))
            count += 1

    write_atomically(folder / COMPLETIONS, write)
    return count


def _csv_values(record: TrainingRecord, updated_at: dt.datetime) -> list[str]:
    p = record.progress
    score = "" if p.score is None else f"{p.score:g}"
    return [
        record.employee_id,
        record.target,
        record.course_code,
        record.status.value,
        _iso(p.enrolled_at),
        _iso(p.completed_at),
        score,
        p.raw_status or "",
        _iso(updated_at),
    ]


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
    engine = create_engine(url)
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
