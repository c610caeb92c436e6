"""Dokeos job polls that go wrong: one job's poll answering 500 or 403 holds back neither
the cycle's read nor its writes; 410 means the job is gone; a job Dokeos still calls
running (or `cancelled`, a status it does not document) expires at the end of its week."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from syncd.errors import FatalError
from syncd.store import Database
from syncd.store.schema import AsyncJobRow
from tests.e2e.dokeos_world import DokeosWorld

WEEK = 7 * 24 * 3600
ENROLL = {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}


@pytest.fixture
def dokeos(tmp_path: Path, database_url: str) -> DokeosWorld:
    world = DokeosWorld(tmp_path, database_url)
    assert world.run().targets[0].status == "ok"
    return world


def _job(world: DokeosWorld, job_id: str) -> AsyncJobRow:
    db = Database(world.database_url)
    with db.session() as session:
        row = session.scalars(select(AsyncJobRow).where(AsyncJobRow.job_id == job_id)).one()
    db.dispose()
    return row


def _start_a_slow_job(world: DokeosWorld) -> str:
    """Enroll E1026 in LEAD-401: one Dokeos job, still running after the cycle."""
    world.sim.job_duration(600)
    world.hr.enrollments.append(dict(ENROLL))
    assert world.run().targets[0].status == "ok"
    db = Database(world.database_url)
    with db.session() as session:
        pending = session.scalars(select(AsyncJobRow).where(AsyncJobRow.status == "pending"))
        (job_id,) = {row.job_id for row in pending}
    db.dispose()
    return job_id


def _polls_of(world: DokeosWorld, job_id: str) -> int:
    return sum(1 for r in world.sim.requests if r.path == f"/jobs/{job_id}")


def _answer_job_as(world: DokeosWorld, job_id: str, status: str) -> None:
    """From now on Dokeos answers this job's poll with `status` (a fault knob: 200)."""
    body = {"job_id": job_id, "status": status, "created_at": None, "finished_at": None}
    world.sim.fail_next(10_000, 200, path_prefix=f"/jobs/{job_id}", body=body)


@pytest.mark.parametrize("status", [500, 403])
def test_a_cycle_reads_and_writes_while_one_job_poll_fails(
    dokeos: DokeosWorld, status: int
) -> None:
    job_id = _start_a_slow_job(dokeos)
    dokeos.sim.fail_next(10_000, status, path_prefix=f"/jobs/{job_id}")
    dokeos.hr.person("E1012")["last_name"] = "Dubois-Martin"
    report = dokeos.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    assert dokeos.plan(report) == [("update_user", "E1012")]
    assert "Dubois-Martin" in {u.lastname for u in dokeos.sim.state.users.values()}
    job = _job(dokeos, job_id)
    assert job.status == "pending"
    assert f"HTTP {status}" in (job.last_error or "")
    code, out, _ = dokeos.cli("status")
    assert code == 0
    assert f"last poll failed: GET /jobs/{job_id}: HTTP {status}" in out
    dokeos.sim.clear_faults()
    dokeos.clock.advance(3600)
    dokeos.poll_jobs()
    assert _job(dokeos, job_id).status == "done"
    assert _job(dokeos, job_id).last_error is None
    dokeos.assert_in_step()


def test_a_job_answered_410_is_gone_and_the_next_read_decides(dokeos: DokeosWorld) -> None:
    job_id = _start_a_slow_job(dokeos)
    gone = {"error": "gone", "message": "This job no longer exists"}
    dokeos.sim.fail_next(1, 410, path_prefix=f"/jobs/{job_id}", body=gone)
    dokeos.clock.advance(60)
    dokeos.poll_jobs()
    job = _job(dokeos, job_id)
    assert job.status == "expired"
    assert "gone" in (job.error or "")
    dokeos.clock.advance(600)  # the job itself went on: its participation exists
    assert dokeos.plan(dokeos.run()) == []
    dokeos.assert_in_step()


def test_a_withdrawn_api_version_on_a_job_poll_still_stops_the_target(
    dokeos: DokeosWorld,
) -> None:
    job_id = _start_a_slow_job(dokeos)
    withdrawn = {"error": "api_version_withdrawn", "message": "API V1 was withdrawn"}
    dokeos.sim.fail_next(1, 410, path_prefix=f"/jobs/{job_id}", body=withdrawn)
    dokeos.clock.advance(60)
    with pytest.raises(FatalError, match="API V1 was withdrawn"):
        dokeos.poll_jobs()
    assert _job(dokeos, job_id).status == "pending"


def test_a_job_still_running_at_the_end_of_its_week_expires_and_is_polled_no_more(
    dokeos: DokeosWorld,
) -> None:
    job_id = _start_a_slow_job(dokeos)
    _answer_job_as(dokeos, job_id, "running")
    dokeos.clock.advance(WEEK)
    dokeos.poll_jobs()
    job = _job(dokeos, job_id)
    assert job.status == "expired"
    assert "outlived its lifetime" in (job.error or "")
    polls = _polls_of(dokeos, job_id)
    dokeos.clock.advance(3600)
    dokeos.poll_jobs()
    dokeos.run()
    assert _polls_of(dokeos, job_id) == polls


def test_a_cancelled_job_is_polled_until_its_expiry_then_expired(dokeos: DokeosWorld) -> None:
    job_id = _start_a_slow_job(dokeos)
    _answer_job_as(dokeos, job_id, "cancelled")
    with capture_logs() as logs:
        for _ in range(3):
            dokeos.clock.advance(24 * 3600)
            dokeos.poll_jobs()
    assert _job(dokeos, job_id).status == "pending"  # treated as running
    unknown = [e for e in logs if e["event"] == "job_status_undocumented"]
    assert [(e["job_id"], e["status"]) for e in unknown] == [(job_id, "cancelled")] * 3
    dokeos.clock.advance(WEEK - 3 * 24 * 3600)
    dokeos.poll_jobs()
    assert _job(dokeos, job_id).status == "expired"
    dokeos.sim.clear_faults()
    assert dokeos.plan(dokeos.run()) == []  # Dokeos did enroll E1026: the read shows it
