"""`store/bulk.executemany` writes what `session.execute(statement, rows)` would, on SQLite
and PostgreSQL: each column's own binding (UTC times, JSON, booleans) included."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select

from syncd.store.bulk import executemany
from syncd.store.db import session_factory
from syncd.store.schema import SyncRunRow, table_of

RUNS = table_of(SyncRunRow)
INSERT_RUN = insert(RUNS).inline()
PARIS = dt.timezone(dt.timedelta(hours=2))


def run(n: int) -> dict[str, object]:
    started = dt.datetime(2026, 3, 1, 14, n, tzinfo=PARIS)
    return {"target": f"t{n}", "started_at": started, "finished_at": None, "dry_run": n % 2 == 0}


def test_rows_are_stored_as_session_execute_stores_them(engine: Engine) -> None:
    finished = {"message": None, "drift": 0, "side_effects": {}, "whole": True}
    unsaved = {"hr_fingerprint": None, "lms_fingerprint": None}
    done = [{"status": "ok", "counts": {"done": n}, **finished, **unsaved} for n in range(3)]
    rows = [{**run(n), **done[n]} for n in range(3)]
    with session_factory(engine)() as session:
        executemany(session, INSERT_RUN, rows)
        session.execute(INSERT_RUN, [{**row, "target": f"x{row['target']}"} for row in rows])
        session.commit()
        stored = session.execute(select(RUNS).order_by(RUNS.c.id)).all()
    fast, slow = stored[:3], stored[3:]
    assert [r.counts for r in fast] == [{"done": 0}, {"done": 1}, {"done": 2}]
    assert [r.dry_run for r in fast] == [True, False, True]
    assert [r[2:] for r in fast] == [r[2:] for r in slow]  # all but id and target


def test_rows_must_carry_every_parameter(engine: Engine) -> None:
    with session_factory(engine)() as session, pytest.raises(ValueError, match="counts"):
        executemany(session, INSERT_RUN.values(status="ok"), [run(1)])
