"""Two syncd processes sharing one PostgreSQL database never write to one target at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from syncd.store import Database
from syncd.store.schema import OperationRow, SyncRunRow
from tests.e2e.conftest import Spawn
from tests.e2e.harness import World

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_two_processes_share_the_lane_and_agree(
    tmp_path: Path, postgres_url: str, spawn: Spawn
) -> None:
    world = World(tmp_path, postgres_url)
    server = world.serve()
    world.sim.latency(0.05, serial_only=True)  # batch and branch calls take a while
    env = {**os.environ, "SYNCD_CONFIG": str(world.config_path)}
    command = [sys.executable, "-m", "syncd", "run", "--once"]
    try:
        procs = [
            spawn(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        results = [p.communicate(timeout=300) for p in procs]
    finally:
        server.shutdown()
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    assert world.sim.violations == []
    world.assert_in_step()
    assert len(world.sim.snapshot().users) == 34
    db = Database(postgres_url)
    with db.session() as session:
        runs = session.scalars(select(SyncRunRow)).all()
        created = session.scalars(select(OperationRow).where(OperationRow.kind == "create_user"))
        assert [r.status for r in runs] == ["ok", "ok"]
        assert len([op for op in created if op.status == "done"]) == 34
    db.dispose()
    serial = [r for r in world.sim.requests if r.method != "GET" and "oauth2" not in r.path]
    assert len(serial) > 10  # the run did real batch and branch work while the other waited
