"""The job poller isolates each job: a poll that fails (5xx, one job refused) is recorded on
that job and backed off while the other jobs settle; a job past its lifetime expires even
when the LMS still calls it pending; an auth failure still stops the target."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from syncd.clock import FakeClock
from syncd.connectors.base import JobState, JobStatus
from syncd.connectors.http import RequestRefusedError
from syncd.errors import FatalError, RetriableError, SyncdError
from syncd.operations import AddMember, Unenroll
from syncd.reconcile.poll import poll_due
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, RemoteId
from syncd.store.db import session_factory
from syncd.store.jobs import Waiting, add_waiting, pending_rows
from syncd.store.journal import record_plan, run_operations, start_run
from syncd.store.links import LinkChanges, load_links, write_links
from syncd.store.schema import AsyncJobRow

EVERY = dt.timedelta(seconds=30)
WEEK = dt.timedelta(days=7)
ADD = AddMember(GroupRef(GroupKind.GROUP, "all"), EmployeeId("E1"))
DROP = Unenroll(EmployeeId("E2"), CourseCode("SEC-101"))
SERVER_ERROR = RetriableError("GET /jobs/j-add: HTTP 500, gave up after 3 attempts")
REFUSED = RequestRefusedError(
    "GET /jobs/j-add: HTTP 403: Forbidden", status=403, detail="Forbidden"
)


class ScriptedJobs:
    """Answers job polls from a script (a state, or an error to raise); counts the polls."""

    def __init__(self, answers: dict[str, JobState | SyncdError]) -> None:
        self.answers, self.polled = answers, []

    def poll_job(self, job_id: str) -> JobState:
        self.polled.append(job_id)
        answer = self.answers[job_id]
        if isinstance(answer, SyncdError):
            raise answer
        return answer


def _setup(engine: Engine, clock: FakeClock, lifetime: dt.timedelta = WEEK) -> tuple[Session, int]:
    session = session_factory(engine)()
    run = start_run(session, "lms", dry_run=False, now=clock.now())
    record_plan(session, run, "lms", [ADD, DROP], clock.now())
    reserved = LinkChanges()
    reserved.put(ADD.key, RemoteId(""), origin="created")
    reserved.put(DROP.key, RemoteId(""), origin="created")
    write_links(session, "lms", reserved, clock.now())
    waiting = [
        Waiting(0, ADD, "j-add"),
        Waiting(1, DROP, "j-drop"),
    ]
    add_waiting(session, "lms", run, waiting, now=clock.now(), lifetime=lifetime)
    session.commit()
    return session, run


def _job(session: Session, job_id: str) -> AsyncJobRow:
    session.expire_all()
    return session.scalars(select(AsyncJobRow).where(AsyncJobRow.job_id == job_id)).one()


def _utc(value: dt.datetime | None) -> dt.datetime:
    assert value is not None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite: naive UTC


def _poll(session: Session, source: Any, clock: FakeClock, **kw: bool) -> Any:
    return poll_due(session, "lms", source, clock, EVERY, **kw)


@pytest.mark.parametrize("error", [SERVER_ERROR, REFUSED], ids=["500", "403"])
def test_a_failing_poll_is_recorded_on_its_job_and_the_other_jobs_still_settle(
    engine: Engine, error: SyncdError
) -> None:
    clock = FakeClock()
    session, run = _setup(engine, clock)
    source = ScriptedJobs({"j-add": error, "j-drop": JobState(JobStatus.DONE)})
    report = _poll(session, source, clock, all_pending=True)  # as a cycle does: no raise
    assert (report.done, report.unpolled, report.pending) == (1, 1, 0)
    job = _job(session, "j-add")
    assert job.status == "pending"
    assert job.last_error == str(error)
    assert job.polls == 1
    assert _utc(job.next_poll_at) > clock.now()  # backed off
    ops = {row.kind: row.status for row in run_operations(session, run)}
    assert ops == {"add_member": "waiting", "unenroll": "done"}


def test_a_job_whose_poll_failed_waits_for_its_backoff_even_in_a_cycle(engine: Engine) -> None:
    clock = FakeClock()
    session, _ = _setup(engine, clock)
    source = ScriptedJobs({"j-add": SERVER_ERROR, "j-drop": JobState(JobStatus.PENDING)})
    _poll(session, source, clock, all_pending=True)
    _poll(session, source, clock, all_pending=True)  # the next cycle, at once
    assert source.polled == ["j-add", "j-drop", "j-drop"]
    clock.advance(30)
    source.answers["j-add"] = JobState(JobStatus.PENDING)
    _poll(session, source, clock)
    assert source.polled[-2:] == ["j-add", "j-drop"]
    assert _job(session, "j-add").last_error is None  # a poll that works forgets the error


def test_a_poll_that_gave_up_on_a_retry_after_waits_at_least_that_long(engine: Engine) -> None:
    """The LMS said when to come back (Retry-After on its last answer): the job is not
    polled again before then, though its own back-off would have come sooner."""
    clock = FakeClock()
    session, _ = _setup(engine, clock)
    busy = RetriableError("GET /jobs/j-add: HTTP 503, gave up after 3 attempts", retry_after=600)
    source = ScriptedJobs({"j-add": busy, "j-drop": JobState(JobStatus.PENDING)})
    _poll(session, source, clock, all_pending=True)
    assert _utc(_job(session, "j-add").next_poll_at) == clock.now() + dt.timedelta(seconds=600)
    source.answers["j-add"] = JobState(JobStatus.PENDING)
    clock.advance(EVERY.total_seconds())
    _poll(session, source, clock)
    assert source.polled == ["j-add", "j-drop", "j-drop"]
    clock.advance(600)
    _poll(session, source, clock)
    assert source.polled[-2:] == ["j-add", "j-drop"]


def test_an_auth_failure_while_polling_still_stops_the_target(engine: Engine) -> None:
    clock = FakeClock()
    session, _ = _setup(engine, clock)
    source = ScriptedJobs({"j-add": FatalError("GET /jobs/j-add: HTTP 401: unauthorized")})
    with pytest.raises(FatalError):
        _poll(session, source, clock, all_pending=True)


@pytest.mark.parametrize(
    "answer", [JobState(JobStatus.PENDING), SERVER_ERROR], ids=["still-running", "poll-fails"]
)
def test_a_job_past_its_lifetime_expires_even_if_the_lms_says_it_is_running(
    engine: Engine, answer: JobState | SyncdError
) -> None:
    clock = FakeClock()
    session, run = _setup(engine, clock)
    source = ScriptedJobs({"j-add": answer, "j-drop": answer})
    clock.advance(WEEK.total_seconds())
    report = _poll(session, source, clock)
    assert report.expired == 2
    assert pending_rows(session, "lms") == []
    ops = run_operations(session, run)
    assert {row.status for row in ops} == {"expired"}
    assert "outlived its lifetime" in (ops[0].error or "")
    assert load_links(session, "lms").get(DROP.key) == ""  # nothing assumed
    polls = len(source.polled)
    clock.advance(3600)
    _poll(session, source, clock, all_pending=True)
    assert len(source.polled) == polls  # an expired job is polled no more


def test_a_job_is_looked_at_when_its_lifetime_ends_whatever_its_backoff(engine: Engine) -> None:
    clock = FakeClock()
    start = clock.now()
    session, _ = _setup(engine, clock, lifetime=dt.timedelta(hours=1))
    source = ScriptedJobs(
        {"j-add": JobState(JobStatus.PENDING), "j-drop": JobState(JobStatus.DONE)}
    )
    while pending_rows(session, "lms"):
        _poll(session, source, clock)
        clock.advance(60)
    job = _job(session, "j-add")
    assert job.status == "expired"
    assert _utc(job.last_polled_at) == start + dt.timedelta(hours=1)  # not up to an hour later
