"""HR CSV files loaded into tables of a database, and the `[hr.queries]` that read them back.

Shared by the SQL source tests and the end-to-end SQL world. Every column is text, as in
the CSV, except where a test asks for a typed column; a `row_no` column keeps the file's
order, and each query lists the file's columns and orders by it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlalchemy as sa

from syncd.config import HrQueries

TABLES = ("people", "org_units", "enrollments")


def table_name(table: str) -> str:
    return f"hr_{table}"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_table(
    url: str,
    table: str,
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str] = (),
    types: Mapping[str, sa.types.TypeEngine[object]] | None = None,
) -> str:
    """(Re)create `hr_<table>` holding `rows`; the SELECT that reads them back in order."""
    names = list(columns) or list(dict.fromkeys(key for row in rows for key in row))
    types = types or {}
    meta = sa.MetaData()
    target = sa.Table(
        table_name(table),
        meta,
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, types.get(name, sa.Text())) for name in names),
    )
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            target.drop(connection, checkfirst=True)
            target.create(connection)
            if rows:
                connection.execute(
                    target.insert(),
                    [{"row_no": i, **{n: row.get(n) for n in names}} for i, row in enumerate(rows)],
                )
    finally:
        engine.dispose()
    return f"SELECT {', '.join(names)} FROM {table_name(table)} ORDER BY row_no"


def load_folder(url: str, folder: Path) -> HrQueries:
    """The CSV files of `folder` as tables of `url`; the queries reading them."""
    queries = {}
    for table in TABLES:
        path = folder / f"{table}.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle))
            queries[table] = load_table(url, table, read_rows(path), header)
    return HrQueries(**queries)
