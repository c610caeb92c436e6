"""The daemon: APScheduler 3 runs each target's cycle on `reconcile_every`, and sooner
when HR's effective dates say so: after each cycle, the target's next run is brought
forward to the next moment someone is due or leaves (`Runtime.next_effective_moment`),
and the interval goes on from that run.

One job per target, one instance at a time, missed runs coalesced; one more
polls the LMSs' asynchronous jobs on `jobs_poll_every` (pending jobs live in the
database, so a restarted daemon polls the same job ids). SIGTERM or
SIGINT sets the shutdown event: a running cycle finishes the request in
flight, records it and skips the rest; the process then exits 0. A heartbeat
file, touched while the scheduler lives, backs the container's HEALTHCHECK; with a
metrics port it holds the address of the daemon's /metrics, /healthz and /readyz
(`syncd.metrics`), which `syncd healthcheck` then asks.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import structlog
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from syncd.config import Config, TargetBase
from syncd.errors import ConfigError, ImportRefusedError, ShutdownRequestedError, SyncdError
from syncd.metrics import MetricsServer, serve
from syncd.runtime import Runtime
from syncd.statuses import RunStatus

log = structlog.get_logger()
ERRORED = "error"  # the metrics' status of a cycle that failed before it recorded one
HEARTBEAT_ENV = "SYNCD_HEARTBEAT"
HEARTBEAT_SECONDS = 15
RECONCILE = "reconcile:"  # the id of a target's cycle job: "reconcile:<target>"


def heartbeat_path() -> Path:
    return Path(os.environ.get(HEARTBEAT_ENV, "var/syncd.heartbeat"))


def run_daemon(
    runtime: Runtime, names: Sequence[str] = (), *, metrics_port: int | None = None
) -> int:
    """Run the schedule until `runtime.shutdown` is set (by `stop_on_signals`, which the
    caller holds around it); with `metrics_port`, serve the metrics and probes meanwhile."""
    stop = runtime.shutdown
    if metrics_port is not None:
        runtime.enable_metrics(names)
    targets = runtime.targets(names)
    scheduler = build_scheduler(runtime, targets)
    with metrics_served(runtime, scheduler, metrics_port):
        scheduler.start()
        log.info("daemon_started", targets=len(targets))
        stop.wait()
        scheduler.shutdown(wait=True)
    log.info("daemon_stopped")
    return 0


@contextmanager
def metrics_served(
    runtime: Runtime, scheduler: BackgroundScheduler, port: int | None
) -> Iterator[None]:
    """For the block, the daemon's metrics server on `port` (none when `port` is None),
    its address written into the heartbeat for `syncd healthcheck`."""
    if port is None:
        yield
        return

    def alive() -> bool:
        return bool(scheduler.running)

    server = serve_probes(runtime, port, alive=alive)
    url = server.url(runtime.config.metrics.host)
    scheduler.modify_job("heartbeat", args=[url])
    log.info("metrics_serving", url=url)
    try:
        yield
    finally:
        server.shutdown()


def serve_probes(runtime: Runtime, port: int, *, alive: Callable[[], bool]) -> MetricsServer:
    """`runtime`'s metrics, /healthz (`alive` says the scheduler runs, and every target had
    a successful cycle within `health_window`) and /readyz (the database is ready)."""
    assert runtime.metrics is not None, "enable_metrics first"
    metrics, window = runtime.metrics, health_window(runtime.config)

    def running() -> bool:
        return alive() and not runtime.shutdown.is_set()

    def healthy() -> str | None:
        return metrics.health(window, running)

    host = runtime.config.metrics.host
    return serve(metrics, host, port, healthy=healthy, ready=runtime.not_ready)


def health_window(config: Config) -> dt.timedelta:
    """How long a target may go without a successful cycle: `[metrics] healthy_within`,
    by default two of `schedule.reconcile_every`."""
    return config.metrics.healthy_within or 2 * config.schedule.reconcile_every


@contextmanager
def stop_on_signals(shutdown: threading.Event) -> Iterator[None]:
    """For the block, SIGTERM and SIGINT set `shutdown` (the daemon, `run --once` and the
    sandbox alike): every wait on the clock ends at once, the request in flight is finished
    and recorded, the rest skipped. The handlers before the block are put back after it.

    The handler hands the work to a thread: the main thread may hold the event's lock or the
    log's when the signal lands, and a handler that took either would wait on itself."""

    def handle(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        threading.Thread(target=_request_stop, args=(shutdown, name), daemon=True).start()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _request_stop(shutdown: threading.Event, signal_name: str) -> None:
    log.info("stop_requested", signal=signal_name)
    shutdown.set()


def build_scheduler(runtime: Runtime, targets: Sequence[TargetBase]) -> BackgroundScheduler:
    every = runtime.config.schedule.reconcile_every.total_seconds()
    now = dt.datetime.now(dt.UTC)
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for target in targets:
        scheduler.add_job(
            cycle_job,
            "interval",
            seconds=every,
            args=[runtime, target],
            id=f"{RECONCILE}{target.name}",
            next_run_time=now,
        )
    poll_every = runtime.config.schedule.jobs_poll_every.total_seconds()
    scheduler.add_job(
        poll_job,
        "interval",
        seconds=poll_every,
        args=[runtime, list(targets)],
        id="poll-jobs",
        next_run_time=now,
    )
    scheduler.add_job(
        touch_heartbeat, "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat", next_run_time=now
    )
    scheduler.add_listener(effective_wakeups(scheduler, runtime), EVENT_JOB_EXECUTED)
    return scheduler


def effective_wakeups(
    scheduler: BackgroundScheduler, runtime: Runtime
) -> Callable[[JobExecutionEvent], None]:
    """A listener that, once a target's cycle ran, brings its next run forward to the next
    effective moment of HR's dates, if that comes before the interval's next run."""

    def wake(event: JobExecutionEvent) -> None:
        if not event.job_id.startswith(RECONCILE) or runtime.shutdown.is_set():
            return
        try:
            moment = runtime.next_effective_moment()
        except Exception:  # the database away: the interval still runs the next cycle
            log.exception("effective_wakeup_failed", job=event.job_id)
            return
        job = scheduler.get_job(event.job_id)
        if moment is None or job is None or job.next_run_time is None:
            return
        if moment < job.next_run_time:
            scheduler.modify_job(event.job_id, next_run_time=moment)
            target = event.job_id.removeprefix(RECONCILE)
            log.info("cycle_brought_forward", target=target, at=moment.isoformat())

    return wake


def cycle_job(runtime: Runtime, target: TargetBase) -> None:
    """One scheduled cycle; any failure is recorded and the daemon goes on. What syncd
    expects (the HR source missing or refused, a SyncdError) is an error event with its
    words; only the unforeseen gets a traceback (`cycle_crashed`)."""
    if runtime.shutdown.is_set():
        return
    try:
        if not _imported(runtime, target):
            return
        report = runtime.run_target(target, dry_run=False, force=False)
        log.info("scheduled_cycle", target=target.name, status=report.status)
    except ShutdownRequestedError:
        log.info("cycle_stopped", target=target.name)
    except SyncdError as err:
        log.error("cycle_failed", target=target.name, error=str(err))  # noqa: TRY400
        _counted(runtime, target, ERRORED)
    except Exception:
        log.exception("cycle_crashed", target=target.name)
        _counted(runtime, target, ERRORED)


def _imported(runtime: Runtime, target: TargetBase) -> bool:
    """Import HR into the mirror; False, logged without a traceback, if it cannot be (the
    target's cycle counted `stopped` when the safety limits refused the import, as `run
    --once` reports it, else `error`)."""
    try:
        runtime.import_hr(force=False)
    except ImportRefusedError as err:
        log.error("hr_import_refused", error=str(err))  # noqa: TRY400 - expected, no traceback
        _counted(runtime, target, RunStatus.STOPPED)
    except ConfigError as err:  # the HR folder or a file missing, unreadable, malformed
        log.error("hr_import_failed", error=str(err))  # noqa: TRY400 - expected, no traceback
        _counted(runtime, target, ERRORED)
    else:
        return True
    return False


def _counted(runtime: Runtime, target: TargetBase, status: str) -> None:
    """A cycle that ended before it could record a status of its own, in the metrics."""
    if runtime.metrics is not None:
        runtime.metrics.cycle_ended(target.name, status, ())


def poll_job(runtime: Runtime, targets: Sequence[TargetBase]) -> None:
    """Settle what the LMSs finished of their asynchronous jobs (Dokeos job ids)."""
    for target in targets:
        if runtime.shutdown.is_set():
            return
        try:
            report = runtime.poll_jobs(target)
            if report is not None:
                log.info(
                    "jobs_polled",
                    target=target.name,
                    done=report.done,
                    failed=report.failed,
                    expired=report.expired,
                    pending=report.pending,
                )
        except ShutdownRequestedError:
            return
        except SyncdError as err:
            log.error("job_poll_failed", target=target.name, error=str(err))  # noqa: TRY400
        except Exception:
            log.exception("job_poll_crashed", target=target.name)


def touch_heartbeat(metrics_url: str = "") -> None:
    """Touch the heartbeat; it holds the metrics server's address, if one serves."""
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(metrics_url, encoding="utf-8")
