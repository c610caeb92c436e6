"""The daemon: APScheduler 3 runs each target's cycle on `reconcile_every`, and sooner
when HR's effective dates say so: after each cycle, the target's next run is brought
forward to the next moment someone is due or leaves (`Runtime.next_effective_moment`),
and the interval goes on from that run.

One job per target, one instance at a time, missed runs coalesced; one more
polls the LMSs' asynchronous jobs on `jobs_poll_every` (pending jobs live in the
database, so a restarted daemon polls the same job ids). SIGTERM or
SIGINT sets the shutdown event: a running cycle finishes the request in
flight, records it and skips the rest; the process then exits 0. A heartbeat
file, touched while the scheduler lives, backs the container's HEALTHCHECK.
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

from syncd.config import TargetBase
from syncd.errors import ConfigError, ImportRefusedError, ShutdownRequestedError, SyncdError
from syncd.runtime import Runtime

log = structlog.get_logger()
HEARTBEAT_ENV = "SYNCD_HEARTBEAT"
HEARTBEAT_SECONDS = 15
RECONCILE = "reconcile:"  # the id of a target's cycle job: "reconcile:<target>"


def heartbeat_path() -> Path:
    return Path(os.environ.get(HEARTBEAT_ENV, "var/syncd.heartbeat"))


def run_daemon(runtime: Runtime, names: Sequence[str] = ()) -> int:
    """Run the schedule until `runtime.shutdown` is set (by `stop_on_signals`, which the
    caller holds around it)."""
    stop = runtime.shutdown
    scheduler = build_scheduler(runtime, runtime.targets(names))
    scheduler.start()
    log.info("daemon_started", targets=len(scheduler.get_jobs()) - 1)
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("daemon_stopped")
    return 0


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
        if not _imported(runtime):
            return
        report = runtime.run_target(target, dry_run=False, force=False)
        log.info("scheduled_cycle", target=target.name, status=report.status)
    except ShutdownRequestedError:
        log.info("cycle_stopped", target=target.name)
    except SyncdError as err:
        log.error("cycle_failed", target=target.name, error=str(err))  # noqa: TRY400
    except Exception:
        log.exception("cycle_crashed", target=target.name)


def _imported(runtime: Runtime) -> bool:
    """Import HR into the mirror; False, logged without a traceback, if it cannot be."""
    try:
        runtime.import_hr(force=False)
    except ImportRefusedError as err:
        log.error("hr_import_refused", error=str(err))  # noqa: TRY400 - expected, no traceback
    except ConfigError as err:  # the HR folder or a file missing, unreadable, malformed
        log.error("hr_import_failed", error=str(err))  # noqa: TRY400 - expected, no traceback
    else:
        return True
    return False


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


def touch_heartbeat() -> None:
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
