"""The job poller: pending jobs back off, done ones complete, failed ones undo, gone ones expire."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from syncd.clock import FakeClock
from syncd.connectors.base import JobState, JobStatus
from syncd.operations import AddMember, Unenroll
from syncd.reconcile.poll import backoff, poll_due
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, RemoteId
from syncd.store.db import session_factory
from syncd.store.jobs import Waiting, add_waiting, pending_rows
from syncd.store.journal import record_plan, run_operations, start_run
from syncd.store.links import LinkChanges, load_links, write_links
from syncd.store.schema import AsyncJobRow

EVERY = dt.timedelta(seconds=30)
ADD = AddMember(GroupRef(GroupKind.GROUP, "all"), EmployeeId("E1"))
DROP = Unenroll(EmployeeId("E2"), CourseCode("SEC-101"))


class ScriptedJobs:
    """Answers job polls from a script; counts the polls."""

    def __init__(self, states: dict[str, JobState]) -> None:
        self.states, self.polled = states, []

    def poll_job(self, job_id: str) -> JobState:
        self.polled.append(job_id)
        return self.states[job_id]


def _setup(engine: Engine, clock: FakeClock) -> tuple[object, int]:
    sessions = session_factory(engine)
    session = sessions()
    run = start_run(session, "lms", dry_run=False, now=clock.now())
    record_plan(session, run, "lms", [ADD, DROP], clock.now())
    reserved = LinkChanges()  # what the lane wrote when the jobs were accepted
    reserved.put(ADD.key, RemoteId(""), origin="created")
    reserved.put(DROP.key, RemoteId(""), origin="created")
    write_links(session, "lms", reserved, clock.now())
    add_waiting(
        session,
        "lms",
        run,
        [Waiting(0, ADD, "j-add"), Waiting(1, DROP, "j-drop")],
        now=clock.now(),
        lifetime=dt.timedelta(days=7),
    )
    session.commit()
    return session, run


def test_pending_jobs_back_off(engine: Engine) -> None:
    clock = FakeClock()
    session, _ = _setup(engine, clock)
    source = ScriptedJobs(
        {"j-add": JobState(JobStatus.PENDING), "j-drop": JobState(JobStatus.PENDING)}
    )
    for _ in range(6):
        poll_due(session, "lms", source, clock, EVERY)  # type: ignore[arg-type]
        clock.advance(30)
    # over 150 s each job is polled at 0, 30, 60 and 90 s, then 60 s later (150 s): 5 polls
    assert len(source.polled) == 10
    row = session.scalars(select(AsyncJobRow).where(AsyncJobRow.job_id == "j-add")).one()
    assert row.polls == 5


def test_done_and_failed_jobs_settle_their_operations_and_links(engine: Engine) -> None:
    clock = FakeClock()
    session, run = _setup(engine, clock)
    source = ScriptedJobs(
        {
            "j-add": JobState(JobStatus.FAILED, "User 7 is not in the group"),
            "j-drop": JobState(JobStatus.DONE),
        }
    )
    report = poll_due(session, "lms", source, clock, EVERY)  # type: ignore[arg-type]
    assert (report.done, report.failed) == (1, 1)
    ops = {row.kind: row for row in run_operations(session, run)}
    assert ops["add_member"].status == "failed"
    assert ops["add_member"].error == "User 7 is not in the group"
    assert ops["unenroll"].status == "done"
    links = load_links(session, "lms")
    assert links.get(ADD.key) is None  # the reservation is given back
    assert links.get(DROP.key) is None  # the removal took effect
    assert pending_rows(session, "lms") == []


def test_a_gone_job_expires_and_assumes_nothing(engine: Engine) -> None:
    clock = FakeClock()
    session, run = _setup(engine, clock)
    source = ScriptedJobs({"j-add": JobState(JobStatus.GONE), "j-drop": JobState(JobStatus.GONE)})
    report = poll_due(session, "lms", source, clock, EVERY)  # type: ignore[arg-type]
    assert report.expired == 2
    ops = run_operations(session, run)
    assert {row.status for row in ops} == {"expired"}
    assert "the next cycle's read decides" in (ops[0].error or "")
    links = load_links(session, "lms")
    assert links.get(DROP.key) == ""  # not assumed removed


def test_backoff_grows_to_an_hour() -> None:
    assert [backoff(n, EVERY).total_seconds() for n in range(7)] == [30, 30, 30, 60, 120, 240, 480]
    assert backoff(40, EVERY) == dt.timedelta(hours=1)
