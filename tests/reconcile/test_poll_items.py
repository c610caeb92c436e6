"""A finished job that carried many operations (a user import) may report some of them
failed by their item: the poller fails those alone, with the LMS's words, and gives back
their links; the others are done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from syncd.clock import FakeClock
from syncd.connectors.base import JobState, JobStatus
from syncd.operations import AddMember
from syncd.reconcile.poll import poll_due
from syncd.records import EmployeeId, GroupKind, GroupRef, RemoteId
from syncd.store.db import session_factory
from syncd.store.jobs import Waiting, add_waiting
from syncd.store.journal import record_plan, run_operations, start_run
from syncd.store.links import LinkChanges, load_links, write_links

EVERY = dt.timedelta(seconds=30)
OPS = [AddMember(GroupRef(GroupKind.GROUP, "all"), EmployeeId(e)) for e in ("E1", "E2", "E3")]


class OneImport:
    """A job done, with one item failed; counts the polls."""

    def __init__(self) -> None:
        self.polled: list[str] = []

    def poll_job(self, job_id: str) -> JobState:
        self.polled.append(job_id)
        return JobState(JobStatus.DONE, failed_items={"user1": "Failed - Duplicate"})


def test_a_done_job_of_many_fails_only_the_items_the_lms_names(engine: Engine) -> None:
    clock = FakeClock()
    with session_factory(engine)() as session:
        run = start_run(session, "lms", dry_run=False, now=clock.now())
        record_plan(session, run, "lms", OPS, clock.now())
        reserved = LinkChanges()
        for op in OPS:
            reserved.put(op.key, RemoteId(""), origin="created")
        write_links(session, "lms", reserved, clock.now())
        waiting = [Waiting(n, op, "import-1", item=f"user{n}") for n, op in enumerate(OPS)]
        add_waiting(session, "lms", run, waiting, now=clock.now(), lifetime=None)
        session.commit()
        source = OneImport()
        report = poll_due(session, "lms", source, clock, EVERY)  # type: ignore[arg-type]
        rows = [(row.status, row.error) for row in run_operations(session, run)]
        links = load_links(session, "lms")
    assert (report.done, source.polled) == (1, ["import-1"])
    assert rows == [("done", None), ("failed", "Failed - Duplicate"), ("done", None)]
    assert [links.get(op.key) for op in OPS] == ["", None, ""]  # the failed one gives it back
