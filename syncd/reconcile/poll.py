"""Polling asynchronous jobs until they settle: done, failed, or gone.

A done job completes its operations (removals take effect on the links only
now); a failed one records the LMS's words and gives back the links it had
reserved, so the next cycle plans the change again; a job the LMS no longer
knows (older than its lifetime, or lost) is marked expired and assumed
nothing: the next cycle's fresh read decides. Long jobs are polled less often.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from syncd.clock import Clock
from syncd.connectors.base import JobState, JobStatus, PollsJobs
from syncd.operations import OpKind
from syncd.reconcile.effects import ADDITIVE, record_effect, undo_effect
from syncd.store import Session, jobs
from syncd.store.links import LinkChanges, write_links

log = structlog.get_logger()
MAX_INTERVAL = dt.timedelta(hours=1)
STEADY_POLLS = 3  # polls at the base interval before backing off


@dataclass(slots=True)
class PollReport:
    done: int = 0
    failed: int = 0
    expired: int = 0
    pending: int = 0


def backoff(polls: int, every: dt.timedelta) -> dt.timedelta:
    """The wait before the next poll of a job already polled `polls` times."""
    factor: int = 2 ** max(0, polls - STEADY_POLLS + 1)
    return min(every * factor, MAX_INTERVAL)


def poll_due(
    session: Session,
    target: str,
    connector: PollsJobs,
    clock: Clock,
    every: dt.timedelta,
    *,
    all_pending: bool = False,
) -> PollReport:
    """One look at every job of `target` whose next poll has come (or at all of them: a
    cycle looks at every pending job before it reads, whatever the back-off schedule)."""
    report = PollReport()
    for job_id, rows in jobs.due(session, target, None if all_pending else clock.now()).items():
        state = connector.poll_job(job_id)
        _settle(session, target, rows, state, now=clock.now(), every=every, report=report)
        session.commit()
        log.info("job_polled", job_id=job_id, status=state.status.value, operations=len(rows))
    return report


def _settle(
    session: Session,
    target: str,
    rows: Sequence[Any],
    state: JobState,
    *,
    now: dt.datetime,
    every: dt.timedelta,
    report: PollReport,
) -> None:
    match state.status:
        case JobStatus.PENDING:
            jobs.postpone(session, rows, now=now, until=now + backoff(rows[0].polls, every))
            report.pending += 1
        case JobStatus.DONE:
            _links(session, target, rows, now, done=True)
            jobs.settle(session, rows, jobs.DONE, now=now)
            report.done += 1
        case JobStatus.FAILED:
            _links(session, target, rows, now, done=False)
            jobs.settle(session, rows, jobs.FAILED, now=now, error=state.error)
            report.failed += 1
        case JobStatus.GONE:
            gone = f"job {rows[0].job_id} is gone (expired or lost); the next cycle's read decides"
            jobs.settle(session, rows, jobs.EXPIRED, now=now, error=gone)
            report.expired += 1


def _links(
    session: Session, target: str, rows: Sequence[Any], now: dt.datetime, *, done: bool
) -> None:
    """Done: removals take effect. Failed: additions give back their reserved link."""
    changes = LinkChanges()
    for row in rows:
        kind = OpKind(row.operation)
        if done and kind not in ADDITIVE:
            record_effect(kind, row.object_key, row.remote_id, changes)
        elif not done:
            undo_effect(kind, row.object_key, changes)
    write_links(session, target, changes, now)
