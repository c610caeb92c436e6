"""Reads the HR CSV export (people.csv, org_units.csv, enrollments.csv) into an HrSnapshot.

Called by the HR import each cycle when `hr.source = "csv"`. A missing folder or
people.csv, a header without a required column, an unnamed or repeated column, or bytes
that are not UTF-8 raise ConfigError; every record becomes a `SourceRow` that the shared
rules of `syncd.hr.validation` accept or quarantine with its file, physical line and a
reason, and the import goes on.

Decisions: column names are stripped; blank rows (every field empty) are skipped; a
record with the wrong number of fields or broken quoting is quarantined as it stands;
`source_file` is the file name; the fingerprint hashes the bytes of every file read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.errors import ConfigError
from syncd.hr.snapshot import HrSnapshot
from syncd.hr.validation import PEOPLE, REQUIRED_COLUMNS, SourceRow, header_problems, validate

if TYPE_CHECKING:
    from _csv import Reader


def file_name(table: str) -> str:
    """The CSV file that holds `table`: "people" -> "people.csv"."""
    return f"{table}.csv"


def read_csv_source(folder: Path) -> HrSnapshot:
    """Read and validate the CSV files in `folder`; see the module docstring for the rules."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: HR folder not found")
    files = {table: _load(folder / file_name(table), table == PEOPLE) for table in REQUIRED_COLUMNS}
    rows = {
        table: _parse(folder / file_name(table), table, data)
        for table, data in files.items()
        if data is not None
    }
    return validate(rows, file_name, _digest(files))


def _load(path: Path, required: bool) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: file not found ({path.name} is required)") from None
        return None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the file: {err.strerror}") from None


def _digest(files: Mapping[str, bytes | None]) -> str:
    digest = hashlib.sha256()
    for table, data in files.items():
        if data is not None:
            digest.update(f"{file_name(table)}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def _parse(path: Path, table: str, data: bytes) -> list[SourceRow]:
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""), strict=True)
    header = _header(path, table, reader)
    return [_row(path.name, table, line, header, fields) for line, fields in _records(reader)]


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = f"byte 0x{data[err.start]:02x}"
        raise ConfigError(f"{path}: line {line}: not UTF-8 ({bad}); export as UTF-8") from None


def _header(path: Path, table: str, reader: Reader) -> tuple[str, ...]:
    try:
        header = tuple(name.strip() for name in next(reader, []))
    except csv.Error as err:
        raise ConfigError(f"{path}: line 1: malformed header row: {err}") from None
    problems = header_problems(table, header)
    if problems:
        raise ConfigError(f"{path}: line 1 (header): {'; '.join(problems)}")
    return header


def _records(reader: Reader) -> Iterator[tuple[int, list[str] | str]]:
    """(first physical line, fields or a CSV error) for each record that is not blank."""
    while True:
        start = reader.line_num + 1
        try:
            fields: list[str] | str = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            fields = f"malformed CSV: {err}"
        if isinstance(fields, str) or any(field.strip() for field in fields):
            yield start, fields


def _row(
    file: str, table: str, line: int, header: tuple[str, ...], fields: list[str] | str
) -> SourceRow:
    if isinstance(fields, str):
        return SourceRow(table, file, line, (), {}, fields)
    surplus = tuple((f"#{i + 1}", v) for i, v in enumerate(fields) if i >= len(header))
    raw = (*zip(header, fields, strict=False), *surplus)
    if len(fields) != len(header):
        problem = f"has {len(fields)} fields where the header has {len(header)}"
        return SourceRow(table, file, line, raw, {}, problem)
    return SourceRow(table, file, line, raw, {column: value.strip() for column, value in raw})
