"""The daemon's wiring: one job per target, one instance at a time, coalesced; crashes survive."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from syncd.cli import main
from syncd.runtime import Runtime
from syncd.scheduler import HEARTBEAT_ENV, build_scheduler, cycle_job
from tests.e2e.harness import World


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    world = World(tmp_path, f"sqlite:///{tmp_path / 'syncd.db'}")
    return world.runtime()


def test_one_job_per_target_one_instance_coalesced(runtime: Runtime) -> None:
    scheduler = build_scheduler(runtime, runtime.targets())
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {"reconcile:docebo-main", "poll-jobs", "heartbeat"}
    assert jobs["poll-jobs"].trigger.interval.total_seconds() == 30
    job = jobs["reconcile:docebo-main"]
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.trigger.interval.total_seconds() == 15 * 60


def test_a_crashing_cycle_is_logged_and_the_daemon_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(runtime, "run_target", explode)
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])  # does not raise
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["cycle_crashed"]


def test_no_cycle_starts_once_stop_was_requested(runtime: Runtime) -> None:
    runtime.shutdown.set()
    with capture_logs() as logs:
        cycle_job(runtime, runtime.targets()[0])
    assert logs == []


def test_healthcheck_fails_on_a_stale_or_missing_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv(HEARTBEAT_ENV, str(beat))
    assert main(["healthcheck"]) == 1
    beat.touch()
    assert main(["healthcheck", "--max-age", "60"]) == 0
    old = time.time() - 600
    os.utime(beat, (old, old))
    assert main(["healthcheck", "--max-age", "60"]) == 1
