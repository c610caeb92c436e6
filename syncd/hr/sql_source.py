"""Reads HR data from any SQL database (`hr.source = "sql"`) into an HrSnapshot.

Each query of `[hr.queries]` is a SELECT returning the columns of the CSV file of the same
name (docs/hr-files.md). Its rows become `SourceRow`s labelled `sql:<query>` with their
1-based row number as the line, and go through the same rules as the CSV rows
(`syncd.hr.validation`): a bad row is quarantined, the import goes on.

Decisions:
- One engine per read, disposed after it: the import runs every few minutes and a pool
  kept between cycles would only hold connections the HR database may want back.
- All queries run in one transaction. On PostgreSQL it is READ ONLY and REPEATABLE READ,
  so the three queries see one consistent snapshot; SQLite gets `PRAGMA query_only`;
  other backends get a plain transaction that is rolled back.
- Values are turned into the text a CSV export would hold: NULL -> "", dates and times
  -> ISO 8601, booleans -> "true"/"false", anything else -> str(). Column names are
  stripped. A row whose values are all empty is not skipped as a blank CSV line is: it is
  a real row of the result and is quarantined, which points at the query that made it.
- A failing query, or a result that lacks a required column or repeats one, is a
  ConfigError naming `hr.queries.<name>` with the database's own words (first line).
  An unreachable database or an unusable URL is a ConfigError naming `hr.url`, like a
  CSV folder that cannot be read: the CLI exits 2 and the daemon logs it and retries next
  cycle. The URL is shown with its password masked, every message is scrubbed, and the
  engine hides SQL parameters from its errors.
- The fingerprint hashes the query names, columns and row texts, not the SQL: rewording a
  query that returns the same rows does not trigger an import. Row order is part of the
  data (the first row claiming a key wins), so give each query an ORDER BY.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import exc

from syncd import redact
from syncd.config import HrQueries
from syncd.errors import ConfigError
from syncd.hr.snapshot import HrSnapshot
from syncd.hr.validation import REQUIRED_COLUMNS, SourceRow, header_problems, validate

_Result = tuple[tuple[str, ...], list[tuple[str, ...]]]  # columns, rows as text


def query_label(name: str) -> str:
    """Where the rows of query `name` come from, as quarantine and messages show it."""
    return f"sql:{name}"


def read_sql_source(url: str, queries: HrQueries) -> HrSnapshot:
    """Run the configured queries against `url` and validate their rows."""
    redact.register(_password(url))
    statements = {
        table: sql for table in REQUIRED_COLUMNS if (sql := getattr(queries, table)) is not None
    }
    with _read_only(url) as connection:
        results = {table: _run(connection, table, sql) for table, sql in statements.items()}
    rows = {table: _rows(table, *result) for table, result in results.items()}
    return validate(rows, query_label, _digest(results))


def _password(url: str) -> str | None:
    try:
        return sa.make_url(url).password
    except exc.ArgumentError:
        return None


def _shown(url: str) -> str:
    """`url` with its password masked, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<unparsable URL>"


def _words(err: Exception) -> str:
    """The database's own words: the driver's message, first line, secrets scrubbed."""
    original = err.orig if isinstance(err, exc.DBAPIError) and err.orig is not None else err
    text = str(original).strip() or type(original).__name__
    return redact.scrub(text.splitlines()[0])


@contextmanager
def _read_only(url: str) -> Iterator[sa.Connection]:
    """A connection inside one read-only transaction (where the backend has one)."""
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool, hide_parameters=True)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        raise ConfigError(
            f"hr.url ({_shown(url)}): not a usable database URL: {_words(err)}"
        ) from None
    try:
        options = _read_only_options(engine.dialect.name)
        try:
            connection = engine.connect().execution_options(**options)
        except exc.SQLAlchemyError as err:
            message = f"hr.url ({_shown(url)}): cannot connect to the HR database: {_words(err)}"
            raise ConfigError(message) from None
        with connection, connection.begin() as transaction:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA query_only = ON")
            yield connection
            transaction.rollback()  # nothing to keep: a read never commits
    finally:
        engine.dispose()


def _read_only_options(dialect: str) -> dict[str, object]:
    if dialect == "postgresql":
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {}


def _run(connection: sa.Connection, table: str, sql: str) -> _Result:
    key = f"hr.queries.{table}"
    try:
        result = connection.execute(sa.text(sql))
        columns = tuple(name.strip() for name in result.keys())  # noqa: SIM118 - a Result iterates rows
        rows = [tuple(map(_text, row)) for row in result]
    except exc.SQLAlchemyError as err:
        raise ConfigError(f"{key}: the query failed: {_words(err)}") from None
    problems = header_problems(table, columns)
    if problems:
        raise ConfigError(f"{key}: the result's columns: {'; '.join(problems)}")
    return columns, rows


def _text(value: object) -> str:
    """`value` as a CSV export would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return str(value)


def _rows(table: str, columns: Sequence[str], rows: Sequence[tuple[str, ...]]) -> list[SourceRow]:
    label = query_label(table)
    return [
        SourceRow(
            table,
            label,
            number,
            raw := tuple(zip(columns, values, strict=True)),
            {column: value.strip() for column, value in raw},
        )
        for number, values in enumerate(rows, start=1)
    ]


def _digest(results: Mapping[str, _Result]) -> str:
    digest = hashlib.sha256()
    for table, (columns, rows) in results.items():
        data = json.dumps([table, columns, rows], ensure_ascii=False).encode()
        digest.update(f"{query_label(table)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
