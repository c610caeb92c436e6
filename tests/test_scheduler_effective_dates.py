"""The daemon wakes for HR's effective dates: after a target's cycle, its next run is brought
forward to the next moment someone is due or leaves, never pushed back. On the fake clock,
with the scheduler paused: no real waiting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from syncd.runtime import Runtime
from syncd.scheduler import build_scheduler, effective_wakeups
from tests.e2e.harness import World

JOB = "reconcile:docebo-main"
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # the world's clock: 18:00 in Tokyo
TOKYO_MIDNIGHT = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path, f"sqlite:///{tmp_path / 'syncd.db'}")


@pytest.fixture
def daemon(world: World) -> Iterator[tuple[BackgroundScheduler, Runtime]]:
    """The daemon's scheduler over the world, paused, its cycle next due a day from now."""
    runtime = world.runtime()
    scheduler = build_scheduler(runtime, runtime.targets())
    scheduler.start(paused=True)
    scheduler.modify_job(JOB, next_run_time=NOW + dt.timedelta(days=1))
    yield scheduler, runtime
    scheduler.shutdown(wait=False)
    runtime.close()


def cycle_ran(scheduler: BackgroundScheduler, runtime: Runtime, job: str = JOB) -> dt.datetime:
    """What the scheduler does once a cycle job ran; the job's next run after it."""
    effective_wakeups(scheduler, runtime)(JobExecutionEvent(EVENT_JOB_EXECUTED, job, None, NOW))
    next_run: dt.datetime = scheduler.get_job(JOB).next_run_time
    return next_run


def test_the_next_cycle_is_brought_forward_to_the_end_of_a_last_day(
    world: World, daemon: tuple[BackgroundScheduler, Runtime]
) -> None:
    world.hr.person("E1020").update(end_date="2026-01-05", timezone="Asia/Tokyo")
    assert world.run().targets[0].status == "ok"
    assert cycle_ran(*daemon) == TOKYO_MIDNIGHT


def test_a_moment_after_the_next_interval_run_changes_nothing(
    world: World, daemon: tuple[BackgroundScheduler, Runtime]
) -> None:
    world.hr.person("E1020").update(end_date="2026-01-31")
    assert world.run().targets[0].status == "ok"
    assert cycle_ran(*daemon) == NOW + dt.timedelta(days=1)


def test_without_dates_or_for_other_jobs_the_interval_alone_decides(
    world: World, daemon: tuple[BackgroundScheduler, Runtime]
) -> None:
    assert world.run().targets[0].status == "ok"
    assert cycle_ran(*daemon) == NOW + dt.timedelta(days=1)
    world.hr.person("E1020").update(end_date="2026-01-05", timezone="Asia/Tokyo")
    assert world.run().targets[0].status == "ok"
    assert cycle_ran(*daemon, job="poll-jobs") == NOW + dt.timedelta(days=1)


def test_the_listener_is_installed_with_the_schedule(world: World) -> None:
    runtime = world.runtime()
    scheduler = build_scheduler(runtime, runtime.targets())
    try:
        assert any(mask == EVENT_JOB_EXECUTED for _, mask in scheduler._listeners)
    finally:
        runtime.close()
