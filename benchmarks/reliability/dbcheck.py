"""Looks into a trial's status database from outside syncd: stuck rows, integrity, text.

Read-only queries over the contract's tables (`sync_runs`, `operations`) and, for the
secrets probe, every text and JSON value of every table. Works on SQLite and PostgreSQL
alike; each call opens and disposes its own engine, so a probe may call it between
syncd processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from syncd.store.db import make_engine


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


class Reader:
    """One engine kept open for polling a database many times a second."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def rows(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(query), params)]

    def close(self) -> None:
        self.engine.dispose()


def rows(url: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with connected(url) as conn:
        return [tuple(row) for row in conn.execute(text(query), params)]


def integrity(url: str) -> str | None:
    """None when the database answers queries and (SQLite) passes integrity_check."""
    try:
        with connected(url) as conn:
            if conn.dialect.name == "sqlite":
                verdict = conn.execute(text("PRAGMA integrity_check")).scalar()
                if verdict != "ok":
                    return f"integrity_check: {verdict}"
            conn.execute(text("SELECT count(*) FROM sync_runs")).scalar()
            conn.execute(text("SELECT count(*) FROM operations")).scalar()
    except Exception as err:  # noqa: BLE001 - any failure to read is the finding
        return f"{type(err).__name__}: {str(err)[:160]}"
    return None


def stuck_runs(url: str) -> list[tuple[Any, ...]]:
    """Runs still `running` (id, target)."""
    return rows(url, "SELECT id, target FROM sync_runs WHERE status = 'running' ORDER BY id")


def sent_operations(url: str) -> list[tuple[Any, ...]]:
    """Operations still `sent`: a request whose outcome was never recorded."""
    return rows(
        url,
        "SELECT run_id, kind, object_key FROM operations WHERE status = 'sent' ORDER BY id",
    )


def unexplained_failures(url: str) -> list[tuple[Any, ...]]:
    """Failed, skipped or expired operations without the reason recorded."""
    return rows(
        url,
        "SELECT run_id, kind, object_key, status FROM operations "
        "WHERE status IN ('failed', 'skipped', 'expired') "
        "AND (error IS NULL OR error = '') ORDER BY id",
    )


def unsettled_in_finished_runs(url: str) -> list[tuple[Any, ...]]:
    """Operations `planned` or `sent` in a run that is over: an outcome lost."""
    return rows(
        url,
        "SELECT o.run_id, o.kind, o.object_key, o.status FROM operations o "
        "JOIN sync_runs r ON r.id = o.run_id "
        "WHERE r.status <> 'running' AND NOT r.dry_run AND o.status IN ('planned', 'sent') "
        "ORDER BY o.id",
    )


def text_cells(url: str) -> Iterator[tuple[str, str, str]]:
    """(table, column, text) for every string or JSON value in every table."""
    with connected(url) as conn:
        for table in inspect(conn).get_table_names():
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    shown = _as_text(value)
                    if shown:
                        yield table, column, shown


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return None
