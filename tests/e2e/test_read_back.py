"""LMS -> HR end to end: a learner completes a course in each LMS; after the next cycle the
completion is in `training_records` and in `completions.csv`, with its dates and score.
Litmos's read back is incremental: it asks only for what changed since its watermark."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from syncd.keys import UserKey
from syncd.records import CourseCode, EmployeeId, EnrollmentStatus, TrainingRecord
from syncd.store import Database
from syncd.store.links import load_links
from syncd.store.shadow import load_remote_state
from syncd.store.training import load_records
from tests.e2e.harness import World, iso
from tests.e2e.litmos_world import LitmosWorld
from tests.e2e.worlds import WORLDS

WHO, COURSE = EmployeeId("E1001"), CourseCode("SEC-101")
SCORE = 87.0


@pytest.fixture(params=list(WORLDS))
def lms(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> World:
    world = WORLDS[request.param](tmp_path, database_url)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    return world


def remote_ids(world: World) -> tuple[str, str]:
    """The LMS's ids of WHO and COURSE, as syncd knows them."""
    db = Database(world.database_url)
    try:
        with db.session() as s:
            user = load_links(s, world.target_name).get(UserKey(WHO))
            courses = load_remote_state(s, world.target_name).courses
    finally:
        db.dispose()
    assert user is not None
    [course] = [c.remote_id for c in courses if c.code == COURSE]
    return user, course


def records(world: World) -> dict[tuple[EmployeeId, CourseCode], TrainingRecord]:
    db = Database(world.database_url)
    try:
        with db.session() as s:
            return load_records(s, world.target_name)
    finally:
        db.dispose()


def csv_row(world: World) -> dict[str, str]:
    with (world.tmp / "export" / "completions.csv").open(encoding="utf-8", newline="") as f:
        rows = [
            r for r in csv.DictReader(f) if (r["employee_id"], r["course_code"]) == (WHO, COURSE)
        ]
    assert len(rows) == 1
    return rows[0]


def test_a_completion_reaches_training_records_and_completions_csv(lms: World) -> None:
    world = lms
    first_cycle = world.clock.now()
    before = records(world)[WHO, COURSE]  # the enrollment the first cycle made
    assert before.status is EnrollmentStatus.ENROLLED
    assert csv_row(world)["status"] == "enrolled"

    world.clock.advance(3 * 3600)
    done_at = world.clock.now() - dt.timedelta(minutes=30)
    world.complete_course(*remote_ids(world), done_at, SCORE)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message

    after = records(world)[WHO, COURSE]
    assert after.status is EnrollmentStatus.COMPLETED
    assert after.progress.completed_at == done_at
    assert after.progress.score == SCORE
    enrolled_at = after.progress.enrolled_at
    assert enrolled_at is not None
    assert first_cycle - dt.timedelta(minutes=1) <= enrolled_at <= done_at
    row = csv_row(world)
    assert row["target"] == world.target_name
    assert row["status"] == "completed"
    assert row["completed_at"] == iso(done_at)
    assert float(row["score"]) == SCORE
    assert row["enrolled_at"] == ("" if enrolled_at is None else iso(enrolled_at))


def achievements_asked(world: LitmosWorld, start: int = 0) -> list[str]:
    """The `since` of each achievements request, from request number `start` on."""
    return [
        dict(r.query)["since"][0]
        for r in world.sim.requests[start:]
        if r.path.endswith("/achievements")
    ]


def litmos_read_twice(tmp_path: Path, database_url: str) -> tuple[LitmosWorld, dt.datetime]:
    """A Litmos world after a full read and an incremental one; when the latter began."""
    world = LitmosWorld(tmp_path, database_url)
    world.run()
    world.clock.advance(3600)
    world.run()
    return world, world.clock.now()


def test_litmos_reads_back_only_what_changed_since_its_watermark(
    tmp_path: Path, database_url: str
) -> None:
    world, first = litmos_read_twice(tmp_path, database_url)
    assert achievements_asked(world)[0] == "2000-01-01"  # the first read is full

    # A completion stamped at the very moment the last read began is not lost.
    world.complete_course(*remote_ids(world), first, SCORE)
    world.clock.advance(300)
    start = len(world.sim.requests)
    world.run()
    since = (first - dt.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    asked = achievements_asked(world, start)
    assert set(asked) == {since}
    assert len(asked) <= 2  # one page, then the empty one
    assert records(world)[WHO, COURSE].progress.score == SCORE

    start = len(world.sim.requests)
    world.run(full_readback=True)
    assert set(achievements_asked(world, start)) == {"2000-01-01"}


def test_a_failed_read_back_keeps_the_records_and_asks_again(
    tmp_path: Path, database_url: str
) -> None:
    world, first = litmos_read_twice(tmp_path, database_url)
    kept = records(world)
    world.clock.advance(600)
    world.sim.fail_next(3, 500, path_prefix="/v1.svc/achievements")  # every attempt
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok"
    assert target.message is not None
    assert target.message.startswith("read back failed, training records kept as they were:")
    assert records(world) == kept
    start = len(world.sim.requests)
    world.run()
    since = (first - dt.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    assert set(achievements_asked(world, start)) == {since}
