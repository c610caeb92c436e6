"""Reads the HR CSV export (people.csv, org_units.csv, enrollments.csv) into an HrSnapshot.

Called by the HR import each cycle when `hr.source = "csv"`. A missing folder (named as
`hr.path`), a missing people.csv, a header without a required column, an unnamed or
repeated column, or bytes that are not UTF-8 raise ConfigError; every record becomes a
`SourceRow` that the shared rules of `syncd.hr.validation` accept or quarantine with its
file, physical line and a reason, and the import goes on.

Decisions: column names are stripped; blank rows (every field empty) are skipped; a
record with the wrong number of fields or broken quoting is quarantined as it stands,
with the fields a lenient re-read of its lines finds (so its key, and the previous state
of what it describes, is kept); no field is too long to read (the csv module's limit is
raised to the size of the file); `source_file` is the file name; the fingerprint hashes
the bytes of every file read, so `load_csv_source` knows it before anything is parsed
(the import skips an export it has applied already without parsing it again).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class CsvExport:
    """The bytes of the CSV files of one folder (None: an optional file absent), read but
    not parsed yet."""

    folder: Path
    files: Mapping[str, bytes | None]

    @property
    def fingerprint(self) -> str:
        """The hash of every file's bytes: the snapshot's `fingerprint`."""
        return _digest(self.files)

    def snapshot(self) -> HrSnapshot:
        """Parse and validate the files; see the module docstring for the rules."""
        rows = {
            table: _parse(self.folder / file_name(table), table, data)
            for table, data in self.files.items()
            if data is not None
        }
        return validate(rows, file_name, self.fingerprint)


def load_csv_source(folder: Path) -> CsvExport:
    """The CSV files in `folder`, read (a missing folder or people.csv is a ConfigError)."""
    if not folder.is_dir():
        raise ConfigError(f"hr.path: {folder}: HR folder not found")
    files = {table: _load(folder / file_name(table), table == PEOPLE) for table in REQUIRED_COLUMNS}
    return CsvExport(folder, files)


def read_csv_source(folder: Path) -> HrSnapshot:
    """Read and validate the CSV files in `folder`; see the module docstring for the rules."""
    return load_csv_source(folder).snapshot()


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
    text = _decode(path, data)
    _allow_fields_of(len(text))
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    header = _header(path, table, reader)
    return [
        _row(path.name, table, line, header, fields) for line, fields in _records(reader, lines)
    ]


def _allow_fields_of(size: int) -> None:
    """Let a field be as long as the whole text (the csv module's default is 131,072).

    The limit is process-wide; it is only ever raised, so concurrent readers are safe."""
    if csv.field_size_limit() < size:
        csv.field_size_limit(size)


class _Lines:
    """The text's lines as the csv reader takes them, remembering those of the current record."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


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


_Fields = list[str] | tuple[str, list[str]]  # a record's fields, or (CSV error, best guess)


def _records(reader: Reader, lines: _Lines) -> Iterator[tuple[int, _Fields]]:
    """(first physical line, fields or a CSV error) for each record that is not blank."""
    while True:
        start = reader.line_num + 1
        lines.taken.clear()
        try:
            fields: _Fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            fields = (f"malformed CSV: {err}", _lenient(lines.taken))
        if isinstance(fields, tuple) or any(field.strip() for field in fields):
            yield start, fields


def _lenient(lines: Sequence[str]) -> list[str]:
    """The fields of a record the strict reader refused, as a forgiving reader sees them."""
    return next(csv.reader(lines), [])


def _row(file: str, table: str, line: int, header: tuple[str, ...], fields: _Fields) -> SourceRow:
    if isinstance(fields, tuple):
        problem, guessed = fields
        return SourceRow(table, file, line, _pairs(header, guessed), {}, problem)
    raw = _pairs(header, fields)
    if len(fields) != len(header):
        problem = f"has {len(fields)} fields where the header has {len(header)}"
        return SourceRow(table, file, line, raw, {}, problem)
    return SourceRow(table, file, line, raw, {column: value.strip() for column, value in raw})


def _pairs(header: tuple[str, ...], fields: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(column, value) for each field; fields past the header are named "#<position>"."""
    surplus = tuple((f"#{i + 1}", v) for i, v in enumerate(fields) if i >= len(header))
    return (*zip(header, fields, strict=False), *surplus)
