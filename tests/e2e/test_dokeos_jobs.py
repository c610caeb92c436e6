"""Dokeos's asynchronous jobs end to end: slow, failed, expired, and across restarts."""

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
from syncd.store.schema import AsyncJobRow, OperationRow
from tests.e2e.conftest import Spawn, SyncedWorld
from tests.e2e.dokeos_world import DokeosWorld

WEEK = 7 * 24 * 3600


@pytest.fixture
def dokeos(tmp_path: Path, database_url: str) -> DokeosWorld:
    world = DokeosWorld(tmp_path, database_url)
    assert world.run().targets[0].status == "ok"
    world.first_jobs = max((j.id for j in _jobs(world)), default=0)  # type: ignore[attr-defined]
    return world


def _new_jobs(world: DokeosWorld) -> list[AsyncJobRow]:
    return _jobs(world, world.first_jobs)  # type: ignore[attr-defined]


def _ops(world: DokeosWorld, run_id: int | None) -> dict[str, OperationRow]:
    db = Database(world.database_url)
    with db.session() as session:
        rows = session.scalars(select(OperationRow).where(OperationRow.run_id == run_id)).all()
    db.dispose()
    return {row.object_key: row for row in rows}


def _jobs(world: DokeosWorld, after: int = 0) -> list[AsyncJobRow]:
    """The job rows recorded after row `after` (the first sync's own jobs are long done)."""
    db = Database(world.database_url)
    with db.session() as session:
        query = select(AsyncJobRow).where(AsyncJobRow.id > after).order_by(AsyncJobRow.id)
        rows = list(session.scalars(query))
    db.dispose()
    return rows


def test_a_first_sync_leaves_no_job_running(synced_world: SyncedWorld) -> None:
    assert synced_world("dokeos").sim.snapshot().pending_jobs == 0


def test_a_slow_job_is_polled_to_done(dokeos: DokeosWorld) -> None:
    dokeos.sim.job_duration(600)
    dokeos.hr.person("E1011")["org_unit"] = "ENG-APPS"
    report = dokeos.run()
    ops = _ops(dokeos, report.targets[0].run_id)
    assert {ops[k].status for k in ops} == {"waiting"}
    _, status, _ = dokeos.cli("status")
    assert "waiting on job" in status
    again = dokeos.run()  # a cycle while the jobs run starts nothing on those objects
    assert dokeos.plan(again) == []
    dokeos.clock.advance(60)
    dokeos.poll_jobs()
    assert {j.status for j in _new_jobs(dokeos)} == {"pending"}
    dokeos.clock.advance(600)
    dokeos.poll_jobs()
    assert {j.status for j in _new_jobs(dokeos)} == {"done"}
    assert {row.status for row in _ops(dokeos, report.targets[0].run_id).values()} == {"done"}
    dokeos.assert_in_step()
    assert dokeos.plan(dokeos.run()) == []


def test_a_failed_job_is_recorded_with_dokeos_words_and_retried(dokeos: DokeosWorld) -> None:
    dokeos.sim.fail_next_jobs(1, "Training LEAD-401 is closed to new participants")
    dokeos.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
    )
    first = dokeos.run()
    op = _ops(dokeos, first.targets[0].run_id)["E1026/LEAD-401"]
    assert op.status == "failed"
    assert op.error == "Training LEAD-401 is closed to new participants"
    _, status, _ = dokeos.cli("status")
    assert "Training LEAD-401 is closed to new participants" in status
    retry = dokeos.run()
    assert dokeos.plan(retry) == [("enroll", "E1026/LEAD-401")]
    dokeos.assert_in_step()


def test_a_job_older_than_a_week_expires_and_the_change_is_replanned(dokeos: DokeosWorld) -> None:
    dokeos.sim.job_duration(8 * 24 * 3600)  # it will not finish within its id's lifetime
    dokeos.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
    )
    dokeos.run()
    dokeos.clock.advance(WEEK + 3600)
    dokeos.poll_jobs()
    (job,) = _new_jobs(dokeos)
    assert job.status == "expired"
    dokeos.sim.job_duration(0)
    replanned = dokeos.run()
    assert dokeos.plan(replanned) == [("enroll", "E1026/LEAD-401")]
    dokeos.assert_in_step()


def test_dry_run_sends_no_write_and_starts_no_job(tmp_path: Path, database_url: str) -> None:
    world = DokeosWorld(tmp_path, database_url)
    server = world.serve()
    try:
        code, out, _ = world.cli("run", "--once", "--dry-run")
    finally:
        server.shutdown()
    assert code == 0
    assert "add_member" in out
    assert world.sim.writes == []
    assert world.sim.snapshot().pending_jobs == 0


def _wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_pending_jobs_survive_a_restart(
    dokeos: DokeosWorld, stop: signal.Signals, spawn: Spawn
) -> None:
    dokeos.sim.job_duration(3600)
    dokeos.hr.person("E1011")["org_unit"] = "ENG-APPS"
    dokeos.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
    )
    dokeos.hr.write()
    server = dokeos.serve()
    env = {**os.environ, "SYNCD_CONFIG": str(dokeos.config_path)}
    log = dokeos.tmp / "daemon.log"  # what the daemon said, shown if it outlives the stop
    try:
        with log.open("w", encoding="utf-8") as out:
            daemon = spawn([sys.executable, "-m", "syncd", "run"], env=env, stdout=out, stderr=out)
        # four jobs: a learner added, a learner and a manager removed, a participation
        _wait_for(lambda: len([j for j in _new_jobs(dokeos) if j.status == "pending"]) == 4, 60)
        daemon.send_signal(stop)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the daemon outlived {stop.name} by 60 s; its last words:\n"
                + "\n".join(log.read_text(encoding="utf-8").splitlines()[-30:])
            )
        waiting = {j.job_id for j in _new_jobs(dokeos)}
        dokeos.clock.advance(3600)
        code, _, err = dokeos.cli("run", "--once")
    finally:
        server.shutdown()
    assert code == 0, err[-2000:]
    polled = {r.path.rsplit("/", 1)[1] for r in dokeos.sim.requests if r.path.startswith("/jobs/")}
    assert waiting <= polled  # the same job ids, polled after the restart
    assert {j.status for j in _new_jobs(dokeos)} == {"done"}
    user = next(u for u in dokeos.sim.state.users.values() if u.external_id == "E1026")
    lead = next(t for t in dokeos.sim.state.trainings.values() if t.code == "LEAD-401")
    wanted = {"user_id": user.id, "training_id": lead.id}
    posts = [r for r in dokeos.sim.requests if r.path == "/participations" and r.body == wanted]
    assert len(posts) == 1  # asked for once, before the stop; never again after it
    dokeos.assert_in_step()
    assert dokeos.plan(dokeos.run()) == []
