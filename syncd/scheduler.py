"""The daemon: APScheduler 3 runs each target's cycle on `reconcile_every`.

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
from collections.abc import Sequence
from pathlib import Path

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from syncd.config import TargetConfig
from syncd.errors import ImportRefusedError
from syncd.runtime import Runtime

log = structlog.get_logger()
HEARTBEAT_ENV = "SYNCD_HEARTBEAT"
HEARTBEAT_SECONDS = 15


def heartbeat_path() -> Path:
    return Path(os.environ.get(HEARTBEAT_ENV, "var/syncd.heartbeat"))


def run_daemon(runtime: Runtime, names: Sequence[str] = ()) -> int:
    stop = runtime.shutdown
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: _request_stop(runtime, signum))
    scheduler = build_scheduler(runtime, runtime.targets(names))
    scheduler.start()
    log.info("daemon_started", targets=len(scheduler.get_jobs()) - 1)
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("daemon_stopped")
    return 0


def _request_stop(runtime: Runtime, signum: int) -> None:
    log.info("stop_requested", signal=signal.Signals(signum).name)
    runtime.shutdown.set()


def build_scheduler(runtime: Runtime, targets: Sequence[TargetConfig]) -> BackgroundScheduler:
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
            id=f"reconcile:{target.name}",
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
    return scheduler


def cycle_job(runtime: Runtime, target: TargetConfig) -> None:
    """One scheduled cycle; any failure is recorded and the daemon goes on."""
    if runtime.shutdown.is_set():
        return
    try:
        runtime.import_hr(force=False)
        report = runtime.run_target(target, dry_run=False, force=False)
        log.info("scheduled_cycle", target=target.name, status=report.status)
    except ImportRefusedError as err:
        log.error("hr_import_refused", error=str(err))  # noqa: TRY400 - expected, no traceback
    except Exception:
        log.exception("cycle_crashed", target=target.name)


def poll_job(runtime: Runtime, targets: Sequence[TargetConfig]) -> None:
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
        except Exception:
            log.exception("job_poll_crashed", target=target.name)


def touch_heartbeat() -> None:
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
