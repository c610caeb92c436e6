"""Where each benchmark size keeps its status database: a fresh one per size.

The default is a SQLite file in the size's temporary folder; `--postgres` creates a
throwaway PostgreSQL database per size and drops it afterwards; `--database URL`
uses the database given, which must be empty (so it serves one size only).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    """`url` given as is, else a throwaway PostgreSQL under `postgres_admin`, else SQLite."""

    url: str | None = None
    postgres_admin: str | None = None

    @property
    def label(self) -> str:
        if self.url:
            return f"given database ({make_url(self.url).get_backend_name()})"
        if self.postgres_admin:
            return "PostgreSQL (a throwaway database per size)"
        return "SQLite (a temporary file per size)"

    def for_size(self, folder: Path) -> AbstractContextManager[str]:
        if self.url:
            return _given(self.url)
        if self.postgres_admin:
            return throwaway_postgres(self.postgres_admin)
        return _given(f"sqlite:///{folder / 'syncd.db'}")


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped on the way out."""
    name = f"syncd_bench_{uuid.uuid4().hex[:10]}"
    _admin(admin_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        _admin(admin_url, drop)


def _admin(admin_url: str, statement: sql.Composed) -> None:
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(statement)
