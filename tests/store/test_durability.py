"""SQLite syncs its write-ahead log only where syncd needs it: every commit survives a killed
process (WAL), and a durable unit's commit (journal before send) survives a power cut too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from syncd.store import Database, durable_unit_of_work, unit_of_work
from syncd.store.schema import FetchStateRow

NORMAL, FULL = 1, 2


def synchronous(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA synchronous")).scalar_one())


def test_sqlite_commits_are_not_synced_one_by_one(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'syncd.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    assert synchronous(db) == NORMAL


def test_a_durable_unit_syncs_its_commit_and_only_its_own(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'syncd.db'}")
    db.upgrade()
    with db.session() as session:
        with durable_unit_of_work(session):
            inside = session.execute(text("PRAGMA synchronous")).scalar_one()
            session.execute(text("DELETE FROM fetch_state"))
        with unit_of_work(session):
            after = session.execute(text("PRAGMA synchronous")).scalar_one()
    assert (inside, after) == (FULL, NORMAL)
    assert synchronous(db) == NORMAL
    db.dispose()


def test_a_durable_unit_commits_what_it_holds(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'syncd.db'}")
    db.upgrade()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with db.session() as session, durable_unit_of_work(session):
        session.add(FetchStateRow(target="t", started_at=now, complete=True))
    with db.session() as session:
        assert session.get(FetchStateRow, "t") is not None
    db.dispose()
