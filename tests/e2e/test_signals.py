"""Stopping: every wait gives way to a stop request, and a stopped run is recorded whole.

A sleep on the clock (a retry's backoff, a Retry-After, a rate-limit wait) ends at
once when shutdown is set and raises ShutdownRequestedError, so no further request goes
out. `run --once` and the daemon stop within seconds of SIGTERM or SIGINT, record
what they did, skip the rest, and print no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from syncd.cli import main
from syncd.cli import status as status_command
from syncd.clock import FakeClock, SystemClock
from syncd.connectors.litmos.limiter import RollingLimiter
from syncd.errors import (
    FatalError,
    RetriableError,
    ShutdownRequestedError,
    SkippableError,
    SyncdError,
)
from syncd.kinds import load_config
from syncd.runtime import Runtime
from syncd.store import Database
from syncd.store.schema import OperationRow, SyncRunRow
from tests.e2e.conftest import Spawn
from tests.e2e.harness import World

USER_BATCH = "/manage/v1/user/batch"
STOP_WITHIN = 10.0  # seconds: what container runtimes give before SIGKILL


# --- the clock ------------------------------------------------------------------------------


def test_system_clock_sleep_ends_at_once_when_shutdown_is_set() -> None:
    stop = threading.Event()
    clock = SystemClock(stop)
    threading.Timer(0.05, stop.set).start()
    started = time.monotonic()
    with pytest.raises(ShutdownRequestedError, match="asked to stop"):
        clock.sleep(45)
    assert time.monotonic() - started < 5  # a bound, not the thing under test


def test_system_clock_sleep_refuses_to_start_once_shutdown_is_set() -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(ShutdownRequestedError):
        SystemClock(stop).sleep(45)


def test_system_clock_without_an_event_sleeps_as_before() -> None:
    SystemClock().sleep(0)


def test_shutdown_requested_is_a_syncd_error_but_not_a_retriable_one() -> None:
    assert issubclass(ShutdownRequestedError, SyncdError)
    assert not issubclass(ShutdownRequestedError, RetriableError | FatalError | SkippableError)


def test_fake_clock_sleep_raises_once_shutdown_is_set() -> None:
    stop = threading.Event()
    clock = FakeClock(shutdown=stop)
    clock.sleep(5)
    stop.set()
    with pytest.raises(ShutdownRequestedError):
        clock.sleep(45)
    assert clock.slept == [5]


def test_the_litmos_rate_limiter_s_wait_gives_way_to_a_stop() -> None:
    stop = threading.Event()
    limiter = RollingLimiter(FakeClock(shutdown=stop), limit=1, window=60)
    limiter.acquire()
    stop.set()
    with pytest.raises(ShutdownRequestedError):
        limiter.acquire()  # the window is full: it would wait 60 s


# --- in process: a stop while a request waits to be retried -----------------------------------


class _StopOnAnswer(httpx.BaseTransport):
    """Passes requests to the simulator; sets `stop` once it has served a 503 on `path`."""

    def __init__(self, inner: httpx.BaseTransport, stop: threading.Event, path: str) -> None:
        self.inner, self.stop, self.path = inner, stop, path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path == self.path and response.status_code == 503:
            self.stop.set()  # as SIGTERM would, while the client is about to wait 45 s
        return response


def _stopping_runtime(world: World, stop: threading.Event, path: str = USER_BATCH) -> Runtime:
    world.hr.write()
    transport = _StopOnAnswer(world.sim.transport(), stop, path)
    runtime = Runtime(
        load_config(world.config_path),
        clock=FakeClock(shutdown=stop),
        shutdown=stop,
        transports={world.target_name: transport},
    )
    runtime.upgrade()
    return runtime


def test_a_stop_during_a_retry_wait_sends_nothing_more_and_records_the_run_interrupted(
    fresh: World,
) -> None:
    fresh.sim.fail_next(10, 503, retry_after=45, path_prefix=USER_BATCH)
    stop = threading.Event()
    runtime = _stopping_runtime(fresh, stop)
    try:
        report = runtime.run_once(dry_run=False, force=False)
    finally:
        runtime.close()
    target = report.targets[0]
    assert target.status == "interrupted"
    batch_tries = [r for r in fresh.sim.requests if r.path == USER_BATCH]
    assert len(batch_tries) == 1  # the wait was cut short: no second attempt
    assert fresh.sim.requests[-1].path == USER_BATCH  # and nothing after it (no read back)
    statuses = {op.status for op in target.operations}
    assert statuses <= {"done", "unconfirmed", "skipped"}
    users = [op for op in target.operations if op.kind == "create_user"]
    assert {op.status for op in users} == {"unconfirmed"}  # the next read settles them
    assert all("asked to stop" in (op.error or "") for op in users)
    rest = [op for op in target.operations if op.status == "skipped"]
    assert rest
    assert all("asked to stop" in (op.error or "") for op in rest)
    _assert_run_closed(fresh.database_url, "interrupted")
    fresh.sim.clear_faults()
    assert fresh.run().targets[0].status == "ok"  # the next cycle's read settles the rest
    fresh.assert_in_step()


def test_a_stop_during_the_read_records_the_run_interrupted_without_a_plan(fresh: World) -> None:
    fresh.sim.fail_next(10, 503, retry_after=45, path_prefix="/manage/v1/orgchart")
    stop = threading.Event()
    runtime = _stopping_runtime(fresh, stop, "/manage/v1/orgchart")
    try:
        report = runtime.run_once(dry_run=False, force=False)
    finally:
        runtime.close()
    target = report.targets[0]
    assert target.status == "interrupted"
    assert "asked to stop" in (target.message or "")
    assert target.operations == ()
    assert fresh.sim.writes == []
    assert fresh.sim.requests[-1].path == "/manage/v1/orgchart"
    _assert_run_closed(fresh.database_url, "interrupted")


def test_a_target_not_yet_started_when_stop_comes_is_not_started(fresh: World) -> None:
    runtime = fresh.runtime()
    runtime.shutdown.set()
    try:
        report = runtime.run_once(dry_run=False, force=False)
    finally:
        runtime.close()
    assert report.targets[0].status == "interrupted"
    assert "not started" in (report.targets[0].message or "")
    assert fresh.sim.requests == []


def test_run_once_puts_back_the_signal_handlers_it_found(served: World) -> None:
    """A program that calls syncd in-process keeps its own SIGTERM and SIGINT handling."""
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    code, _, _ = served.cli("run", "--once")
    assert code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_ctrl_c_in_a_command_without_a_handler_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(status_command, "status", interrupted)
    try:
        code = main(["status"])
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped main: Python prints a traceback")
    assert code == 130
    assert capsys.readouterr().err == "syncd: interrupted\n"


def _assert_run_closed(url: str, status: str) -> None:
    db = Database(url)
    try:
        with db.session() as session:
            runs = session.scalars(select(SyncRunRow)).all()
            ops = session.scalars(select(OperationRow)).all()
    finally:
        db.dispose()
    assert [r.status for r in runs] == [status]
    assert runs[0].finished_at is not None
    assert not {op.status for op in ops} & {"planned", "sent"}


# --- real processes ---------------------------------------------------------------------------


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _answered_503(world: World, path: str) -> Callable[[], bool]:
    return lambda: any(r.path == path and r.status == 503 for r in world.sim.requests)


def _stop_process(
    world: World, spawn: Spawn, args: list[str], sig: signal.Signals, path: str
) -> tuple[int, str, float]:
    """Start `syncd ARGS`, signal it while it waits out a 503's Retry-After of 45 s on
    `path`; its exit code, its stderr and how long it took to exit after the signal."""
    server = world.serve()
    world.sim.fail_next(10, 503, retry_after=45, path_prefix=path)
    env = {
        **os.environ,
        "SYNCD_CONFIG": str(world.config_path),
        "SYNCD_HEARTBEAT": str(world.tmp / "heartbeat"),
    }
    process = spawn(
        [sys.executable, "-m", "syncd", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(_answered_503(world, path), 60)
        process.send_signal(sig)
        signalled = time.monotonic()
        try:
            _, err = process.communicate(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"syncd {' '.join(args)} still running {STOP_WITHIN:.0f}s after {sig.name}")
        took = time.monotonic() - signalled
    finally:
        server.shutdown()
    return process.returncode, err, took


@pytest.mark.slow
def test_run_once_stops_within_seconds_of_sigterm_during_a_retry_after_wait(
    fresh: World, spawn: Spawn
) -> None:
    code, err, took = _stop_process(fresh, spawn, ["run", "--once"], signal.SIGTERM, USER_BATCH)
    assert took < STOP_WITHIN
    assert code == 1, err[-2000:]  # the cycle did not finish: the run says `interrupted`
    assert "Traceback" not in err
    assert len([r for r in fresh.sim.requests if r.path == USER_BATCH]) == 1
    _assert_run_closed(fresh.database_url, "interrupted")


@pytest.mark.slow
def test_run_once_stops_on_sigint_without_a_traceback(fresh: World, spawn: Spawn) -> None:
    code, err, took = _stop_process(fresh, spawn, ["run", "--once"], signal.SIGINT, USER_BATCH)
    assert took < STOP_WITHIN
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert code == 1, err[-2000:]
    _assert_run_closed(fresh.database_url, "interrupted")


@pytest.mark.slow
def test_daemon_stops_within_seconds_of_sigterm_during_a_retry_after_wait_and_exits_0(
    fresh: World, spawn: Spawn
) -> None:
    code, err, took = _stop_process(fresh, spawn, ["run"], signal.SIGTERM, USER_BATCH)
    assert took < STOP_WITHIN
    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    _assert_run_closed(fresh.database_url, "interrupted")


@pytest.mark.slow
def test_daemon_stops_on_sigint_during_the_read_without_a_traceback(
    fresh: World, spawn: Spawn
) -> None:
    code, err, took = _stop_process(fresh, spawn, ["run"], signal.SIGINT, "/manage/v1/orgchart")
    assert took < STOP_WITHIN
    assert code == 0, err[-2000:]
    assert "Traceback" not in err
    _assert_run_closed(fresh.database_url, "interrupted")
