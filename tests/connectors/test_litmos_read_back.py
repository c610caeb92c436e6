"""Litmos progress: what `fetch`'s enrollments say of each assignment, and `read_back`, an
incremental walk of `/achievements` that brings completion dates and scores."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from syncd.clock import FakeClock
from syncd.connectors.base import ReadsBack
from syncd.connectors.litmos import LitmosConnector
from syncd.records import EnrollmentStatus, Progress, RemoteEnrollment, RemoteId
from syncd.sandbox.litmos import LitmosSimulator

LitmosMaker = Callable[..., LitmosConnector]
ACHIEVEMENTS = "/v1.svc/achievements"


def _completions(
    sim: LitmosSimulator, clock: FakeClock
) -> tuple[str, list[str], list[dt.datetime]]:
    """Ann completes C0, C1, C2 one minute apart (scores 80, 81, 82); her id, the course
    ids and the moments."""
    user = sim.seed_user("ann", "Ann", "Archer", "ann@acme.test")
    courses, moments = [], []
    for n in range(3):
        course = sim.seed_course(f"C{n}", f"Course {n}")
        sim.complete_course(user, course, score=80.0 + n)
        courses.append(course)
        moments.append(clock.now())
        clock.advance(60)
    return user, courses, moments


def _completed(user: str, course: str, at: dt.datetime, score: float) -> RemoteEnrollment:
    progress = Progress(completed_at=at, score=score, raw_status="Complete")
    return RemoteEnrollment(RemoteId(course), RemoteId(user), EnrollmentStatus.COMPLETED, progress)


def _asked(sim: LitmosSimulator) -> list[tuple[str | None, str | None]]:
    """(since, start) of every `/achievements` call the simulator received."""
    calls = [r for r in sim.requests if r.path == ACHIEVEMENTS]
    return [(r.query["since"][0], r.query["start"][0]) for r in calls]


def test_litmos_reads_back(litmos: LitmosConnector) -> None:
    assert isinstance(litmos, ReadsBack)


def test_read_back_of_none_gets_every_achievement(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    user, courses, moments = _completions(litmos_sim, clock)
    got = list(litmos.read_back(None))
    assert got == [
        _completed(user, c, m, 80.0 + n)
        for n, (c, m) in enumerate(zip(courses, moments, strict=True))
    ]
    assert _asked(litmos_sim) == [("2000-01-01", "0")]  # a short page ends the walk


def test_read_back_since_asks_only_since_then_and_includes_that_very_second(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    user, courses, moments = _completions(litmos_sim, clock)
    since = moments[1] + dt.timedelta(microseconds=700_000)  # within the second of C1
    got = list(litmos.read_back(since))
    assert got == [
        _completed(user, courses[1], moments[1], 81.0),
        _completed(user, courses[2], moments[2], 82.0),
    ]
    wanted = moments[1].strftime("%Y-%m-%d %H:%M:%S")
    assert _asked(litmos_sim) == [(wanted, "0")]  # one short page: the whole list
    assert len(litmos_sim.requests) == 1


def test_read_back_when_nothing_was_completed_is_one_request(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    _completions(litmos_sim, clock)
    assert list(litmos.read_back(clock.now())) == []
    assert len(litmos_sim.requests) == 1


def test_read_back_takes_a_score_less_completion_and_a_naive_since_as_utc(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    user = litmos_sim.seed_user("ann", "Ann", "Archer", "ann@acme.test")
    course = litmos_sim.seed_course("C0", "Course 0")
    litmos_sim.complete_course(user, course, score=None)
    (got,) = litmos.read_back(clock.now().replace(tzinfo=None))
    assert got.progress == Progress(completed_at=clock.now(), raw_status="Complete")


def test_read_back_walks_every_page_within_the_rate_limit(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    _completions(litmos_sim, clock)
    connector = make_litmos(page_size=1, requests_per_minute=2)
    assert len(list(connector.read_back(None))) == 3
    assert [start for _, start in _asked(litmos_sim)] == ["0", "1", "2", "3"]
    assert all(r.status == 200 for r in litmos_sim.requests)
    assert sum(clock.slept) >= 60  # four requests at two a minute


def test_fetch_enrollments_carry_progress_and_fetch_sends_what_it_sent_before(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    user = litmos_sim.seed_user("ann", "Ann", "Archer", "ann@acme.test")
    fresh, started, done = (litmos_sim.seed_course(f"C{n}", f"Course {n}") for n in range(3))
    litmos_sim.assign_course(user, fresh)
    litmos_sim.assign_course(user, started)
    key = (user, started)
    litmos_sim.state.assignments[key] = replace(litmos_sim.state.assignments[key], percentage=42)
    litmos_sim.complete_course(user, done, score=90.0)
    enrollments = [r for r in litmos.fetch() if isinstance(r, RemoteEnrollment)]
    progress = {r.course_remote_id: (r.status, r.progress) for r in enrollments}
    assert progress == {
        fresh: (EnrollmentStatus.ENROLLED, Progress(raw_status="0%")),
        started: (EnrollmentStatus.IN_PROGRESS, Progress(raw_status="42%")),
        done: (
            EnrollmentStatus.COMPLETED,
            Progress(completed_at=clock.now(), raw_status="Complete"),
        ),
    }
    paths = Counter(r.path.removeprefix("/v1.svc") for r in litmos_sim.requests)
    assert paths == {"/users": 1, "/teams": 1, "/courses": 1, "/results/details": 1}
