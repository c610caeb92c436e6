"""The daemon: SIGTERM finishes the request in flight, records it, and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from syncd.store import Database
from syncd.store.schema import OperationRow, SyncRunRow
from tests.e2e.conftest import Spawn
from tests.e2e.harness import World

pytestmark = pytest.mark.slow


def _wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigterm_finishes_the_request_in_flight_and_exits_0(
    fresh: World, tmp_path: Path, spawn: Spawn
) -> None:
    server = fresh.serve()
    # Each batch or branch call takes a while (a first sync is only a few of them now), so
    # the signal sent after the first write finds serial calls still to go.
    fresh.sim.latency(3.0, serial_only=True)
    heartbeat = tmp_path / "heartbeat"
    env = {**os.environ, "SYNCD_CONFIG": str(fresh.config_path), "SYNCD_HEARTBEAT": str(heartbeat)}
    daemon = spawn(
        [sys.executable, "-m", "syncd", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: len(fresh.sim.writes) >= 1, 60)
        # The healthcheck reads the heartbeat the daemon keeps while it syncs; it starts
        # with the stop signal, not before it, so that however slowly it starts on a loaded
        # machine the signal still lands while the sync has serial calls to go.
        health = subprocess.Popen([sys.executable, "-m", "syncd", "healthcheck"], env=env)
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
        health.wait(timeout=60)
    finally:
        server.shutdown()
    assert daemon.returncode == 0, err[-2000:]
    assert health.returncode == 0
    db = Database(fresh.database_url)
    with db.session() as session:
        run = session.scalars(select(SyncRunRow)).one()
        ops = session.scalars(select(OperationRow).order_by(OperationRow.seq)).all()
    db.dispose()
    statuses = [op.status for op in ops]
    assert run.status == "interrupted"
    assert "sent" not in statuses  # the request in flight was answered and recorded
    assert "planned" not in statuses
    done = [op.kind for op in ops if op.status == "done"]
    assert 0 < len(done) < len(ops)
    # exactly what reached the LMS is recorded as done (one request carries many operations)
    lms = fresh.sim.snapshot()
    assert len(lms.users) == done.count("create_user")
    assert len(lms.enrollments) == done.count("enroll")
    assert len(lms.branches) == done.count("create_group") - len(lms.groups)
    assert all("asked to stop" in (op.error or "") for op in ops if op.status == "skipped")


def test_sigkill_mid_apply_is_repaired_by_the_next_cycle(fresh: World, spawn: Spawn) -> None:
    server = fresh.serve()
    fresh.sim.latency(0.2, serial_only=True)
    env = {**os.environ, "SYNCD_CONFIG": str(fresh.config_path)}
    try:
        victim = spawn(
            [sys.executable, "-m", "syncd", "run", "--once"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: len(fresh.sim.writes) >= 3, 60)
        victim.kill()  # SIGKILL: no chance to record anything more
        victim.wait(timeout=30)
        fresh.sim.latency(0.0)
        code, out, _ = fresh.cli("run", "--once")
    finally:
        server.shutdown()
    assert code == 0, out
    fresh.assert_in_step()
    usernames = [u.username for u in fresh.sim.state.users.values()]
    assert len(usernames) == len(set(usernames)) == 34  # nothing created twice
    assert fresh.plan(fresh.run()) == []
