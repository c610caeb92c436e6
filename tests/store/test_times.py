"""Times in the status tables: stored in UTC, read back aware UTC on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError

from syncd.store.db import session_factory
from syncd.store.schema import Base, SyncRunRow, UtcDateTime

PARIS_NOON = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _run(started: dt.datetime) -> SyncRunRow:
    return SyncRunRow(target="t", started_at=started, dry_run=False, status="ok", counts={})


def test_every_time_column_is_stored_in_utc() -> None:
    columns = [c for t in Base.metadata.tables.values() for c in t.c if c.name.endswith("_at")]
    assert columns
    assert all(isinstance(c.type, UtcDateTime) for c in columns), columns


def test_a_time_reads_back_aware_in_utc(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(_run(PARIS_NOON))
        session.commit()
        started = session.scalar(select(SyncRunRow.started_at))
    assert started == PARIS_NOON
    assert started is not None
    assert started.tzinfo is dt.UTC
    assert started.hour == 12


def test_what_a_query_of_the_table_reads(engine: Engine) -> None:
    """SQLite: UTC text without a zone. PostgreSQL: a `timestamptz`, the moment itself."""
    with session_factory(engine)() as session:
        session.add(_run(PARIS_NOON))
        session.commit()
        if engine.dialect.name == "sqlite":
            stored = session.scalar(text("SELECT started_at FROM sync_runs"))
            assert stored == "2026-12-07 12:00:00.000000"
        else:
            kind = session.scalar(text("SELECT pg_typeof(started_at)::text FROM sync_runs"))
            assert kind == "timestamp with time zone"
            stored = session.scalar(text("SELECT started_at FROM sync_runs"))
            assert stored == PARIS_NOON


def test_a_naive_time_is_refused(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(_run(dt.datetime(2026, 12, 7, 12, 0)))
        with pytest.raises(StatementError, match="naive"):
            session.commit()
