"""Polling asynchronous jobs until they settle: done, failed, or gone.

A done job completes its operations (removals take effect on the links only
now), but for those it reports failed by their item (a job carrying many, such
as a user import, may fail some rows); a failed one records the LMS's words and
gives back the links it had reserved, so the next cycle plans the change
again; a job the LMS no longer knows (older than its lifetime, or lost) is
marked expired and assumed nothing: the next cycle's fresh read decides. So
is a job still pending when its lifetime ends (`expires_at`), whatever the
LMS says of it then. Long jobs are polled less often, never past their expiry.

Each job is polled on its own: a poll that fails (a RetriableError such as a
5xx, or a SkippableError: the LMS refused that one job) is logged, kept on
the job's rows (`last_error`) and backed off, no sooner than the LMS's last
Retry-After asked (`RetriableError.retry_after`); the other jobs, and the cycle
that called, go on. Any other error (a FatalError: credentials refused) stops
the poll and propagates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from syncd.clock import Clock
from syncd.connectors.base import JobState, JobStatus, PollsJobs
from syncd.errors import RetriableError, SkippableError
from syncd.reconcile.effects import ADDITIVE, CREATES, record_effect, undo_effect
from syncd.records import RemoteId
from syncd.store import Session, jobs, unit_of_work
from syncd.store.journal import OpStatus
from syncd.store.links import LinkChanges, write_links

log = structlog.get_logger()
MAX_INTERVAL = dt.timedelta(hours=1)
STEADY_POLLS = 3  # polls at the base interval before backing off
# What one job's poll may fail with without concerning the others (or the target).
PER_JOB_ERRORS = (RetriableError, SkippableError)


@dataclass(slots=True)
class PollReport:
    done: int = 0
    failed: int = 0
    expired: int = 0
    pending: int = 0
    unpolled: int = 0  # jobs whose poll failed this time (kept pending, backed off)


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
    cycle looks at every pending job before it reads, whatever the back-off schedule,
    except those whose last poll failed)."""
    report = PollReport()
    due = jobs.due(session, target, clock.now(), all_pending=all_pending)
    for rows in due.values():
        with unit_of_work(session):  # each job's answer kept as soon as it is read
            _poll_one(session, target, connector, rows, clock=clock, every=every, report=report)
    return report


def _poll_one(
    session: Session,
    target: str,
    connector: PollsJobs,
    rows: Sequence[jobs.JobEntry],
    *,
    clock: Clock,
    every: dt.timedelta,
    report: PollReport,
) -> None:
    job_id = rows[0].job_id
    try:
        state = connector.poll_job(job_id)
    except PER_JOB_ERRORS as err:
        log.warning("job_poll_failed", job_id=job_id, error=str(err), polls=rows[0].polls + 1)
        failed = _Failed(str(err), _retry_after(err))
        _unpolled(session, rows, failed, now=clock.now(), every=every, report=report)
        return
    now = clock.now()  # after the poll: its retries may have waited
    log.info("job_polled", job_id=job_id, status=state.status.value, operations=len(rows))
    if state.status is JobStatus.PENDING and _outlived(rows, now):
        state = JobState(JobStatus.GONE, _outlived_message(rows, "the LMS still calls it pending"))
    _settle(session, target, rows, state, now=now, every=every, report=report)


@dataclass(frozen=True, slots=True)
class _Failed:
    """Why a poll failed, and how long the LMS asked to be left alone (Retry-After)."""

    error: str
    retry_after: dt.timedelta = dt.timedelta(0)


def _retry_after(err: Exception) -> dt.timedelta:
    """What the LMS's Retry-After asked, when the HTTP client gave up on an answer with one."""
    asked = err.retry_after if isinstance(err, RetriableError) else None
    return dt.timedelta(seconds=asked or 0)


def _unpolled(
    session: Session,
    rows: Sequence[jobs.JobEntry],
    failed: _Failed,
    *,
    now: dt.datetime,
    every: dt.timedelta,
    report: PollReport,
) -> None:
    """A poll that failed: the job expires if its lifetime is over, else waits its back-off
    (and at least as long as the LMS's Retry-After asked)."""
    if _outlived(rows, now):
        gone = _outlived_message(rows, f"its last poll failed: {failed.error}")
        jobs.settle(session, rows, OpStatus.EXPIRED, now=now, error=gone)
        report.expired += 1
        return
    until = _next_poll(rows, now, every, at_least=failed.retry_after)
    jobs.postpone(session, rows, now=now, until=until, error=failed.error)
    report.unpolled += 1


def _settle(
    session: Session,
    target: str,
    rows: Sequence[jobs.JobEntry],
    state: JobState,
    *,
    now: dt.datetime,
    every: dt.timedelta,
    report: PollReport,
) -> None:
    match state.status:
        case JobStatus.PENDING:
            jobs.postpone(session, rows, now=now, until=_next_poll(rows, now, every))
            report.pending += 1
        case JobStatus.DONE:
            _done(session, target, rows, state, now=now)
            report.done += 1
        case JobStatus.FAILED:
            _links(session, target, rows, now, done=False)
            jobs.settle(session, rows, OpStatus.FAILED, now=now, error=state.error)
            report.failed += 1
        case JobStatus.GONE:
            gone = f"job {rows[0].job_id} is gone (expired or lost); the next cycle's read decides"
            jobs.settle(session, rows, OpStatus.EXPIRED, now=now, error=state.error or gone)
            report.expired += 1


def _done(
    session: Session,
    target: str,
    rows: Sequence[jobs.JobEntry],
    state: JobState,
    *,
    now: dt.datetime,
) -> None:
    """A finished job: its operations done, but those the LMS reports failed by their item
    (`JobState.failed_items`), which fail with its words and give back their links."""
    failed: dict[str, list[jobs.JobEntry]] = {}
    for row in rows:
        words = state.failed_items.get(row.item) if row.item is not None else None
        if words is not None:
            failed.setdefault(words, []).append(row)
    settled = {row.id for group in failed.values() for row in group}
    done = [row for row in rows if row.id not in settled]
    for words, group in failed.items():
        _links(session, target, group, now, done=False)
        jobs.settle(session, group, OpStatus.FAILED, now=now, error=words)
    if done:
        _links(session, target, done, now, done=True)
        _made(session, target, done, state, now)
        jobs.settle(session, done, OpStatus.DONE, now=now)


def _made(
    session: Session, target: str, rows: Sequence[jobs.JobEntry], state: JobState, now: dt.datetime
) -> None:
    """Link what a job created to the id the LMS gave it, where the poll learned it (until
    then the link was reserved without an id)."""
    changes = LinkChanges()
    made: list[tuple[jobs.JobEntry, RemoteId]] = []
    for row in rows:
        remote_id = state.remote_ids.get(row.item) if row.item is not None else None
        if remote_id and row.operation in CREATES:
            record_effect(row.operation, row.key, remote_id, changes)
            made.append((row, remote_id))
    write_links(session, target, changes, now)
    jobs.record_made(session, made)


def _outlived(rows: Sequence[jobs.JobEntry], now: dt.datetime) -> bool:
    """The job's lifetime is over (a job without an expiry never outlives it)."""
    expires = rows[0].expires_at
    return expires is not None and now >= expires


def _outlived_message(rows: Sequence[jobs.JobEntry], why: str) -> str:
    return (
        f"job {rows[0].job_id} outlived its lifetime (expired "
        f"{rows[0].expires_at:%Y-%m-%d %H:%M} UTC; {why}); assumed nothing, "
        "the next cycle's read decides"
    )


def _next_poll(
    rows: Sequence[jobs.JobEntry],
    now: dt.datetime,
    every: dt.timedelta,
    *,
    at_least: dt.timedelta = dt.timedelta(0),
) -> dt.datetime:
    """After the back-off (and `at_least`), but no later than the job's expiry (where it is
    looked at last)."""
    after = now + max(backoff(rows[0].polls, every), at_least)
    expires = rows[0].expires_at
    return min(after, expires) if expires is not None and expires > now else after


def _links(
    session: Session, target: str, rows: Sequence[jobs.JobEntry], now: dt.datetime, *, done: bool
) -> None:
    """Done: removals take effect. Failed: additions give back their reserved link."""
    changes = LinkChanges()
    for row in rows:
        if done and row.operation not in ADDITIVE:
            record_effect(row.operation, row.key, row.remote_id, changes)
        elif not done:
            undo_effect(row.operation, row.key, changes)
    write_links(session, target, changes, now)
