"""The Docebo connector reads learners' progress back: every enrollment `fetch` yields
carries it, taken from the enrollment list already read (no extra request), in both
API eras (modern: each course's list; 2017: `/learn/v1/enrollments`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from syncd.clock import FakeClock
from syncd.connectors.docebo import DoceboConnector, mapping
from syncd.records import EnrollmentStatus, Progress, RemoteEnrollment, RemoteId
from syncd.sandbox import DoceboSimulator
from syncd.sandbox.core import LoggedRequest
from syncd.sandbox.docebo.records import API_ERAS, ApiEra

ENROLLMENTS = "/learn/v1/enrollments"
LISTS = {
    "/manage/v1/user",
    "/manage/v1/orgchart",
    "/manage/v1/group",
    "/learn/v1/courses",
}
UTC = dt.UTC


@pytest.fixture(params=API_ERAS)
def sim(request: pytest.FixtureRequest, clock: FakeClock) -> DoceboSimulator:
    era: ApiEra = request.param
    return DoceboSimulator(clock=lambda: clock.now().timestamp(), api_era=era)


def enrollment_list(sim: DoceboSimulator, course: int) -> str:
    """The path the connector reads `course`'s enrollments from: the one list, in either era."""
    return ENROLLMENTS


def enrollments(connector: DoceboConnector) -> dict[tuple[str, str], RemoteEnrollment]:
    """The enrollments one fetch yields, by (course id, user id)."""
    found = [r for r in connector.fetch() if isinstance(r, RemoteEnrollment)]
    return {(r.course_remote_id, r.user_remote_id): r for r in found}


def seed_learners(sim: DoceboSimulator, n: int) -> tuple[int, list[int]]:
    """A course and `n` learners enrolled in it; (course id, user ids)."""
    course = sim.seed_course("SEC-101", "Security")
    users = [sim.seed_user(f"u{i}", f"u{i}@acme.com", "F", f"L{i}") for i in range(n)]
    for user in users:
        sim.seed_enrollment(course, user)
    return course, users


def key(course: int, user: int) -> tuple[str, str]:
    return str(course), str(user)


def test_fetch_yields_the_progress_of_each_enrollment(
    sim: DoceboSimulator, connector: DoceboConnector, clock: FakeClock
) -> None:
    enrolled = clock.now()
    course, (started, done, idle) = seed_learners(sim, 3)
    clock.advance(3600)
    sim.set_enrollment_progress(course, started, status="in_progress", score=40)
    sim.set_enrollment_progress(course, done, status="completed", score=92.5)
    found = enrollments(connector)
    assert found[key(course, started)] == RemoteEnrollment(
        RemoteId(str(course)),
        RemoteId(str(started)),
        EnrollmentStatus.IN_PROGRESS,
        Progress(enrolled_at=enrolled, score=40.0, raw_status="in_progress"),
    )
    completed = found[key(course, done)]
    assert completed.status is EnrollmentStatus.COMPLETED
    assert completed.progress == Progress(enrolled, clock.now(), 92.5, "completed")
    assert found[key(course, idle)].progress == Progress(enrolled, raw_status="subscribed")


def test_dates_are_aware_utc(
    sim: DoceboSimulator, connector: DoceboConnector, clock: FakeClock
) -> None:
    course, (user,) = seed_learners(sim, 1)
    when = dt.datetime(2025, 6, 30, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    sim.set_enrollment_progress(course, user, status="completed", completed_at=when)
    progress = enrollments(connector)[key(course, user)].progress
    assert progress is not None
    assert progress.completed_at == dt.datetime(2025, 7, 1, 4, 59, 59, tzinfo=UTC)
    assert progress.completed_at.tzinfo is UTC
    assert progress.enrolled_at == clock.now()


def test_progress_costs_no_extra_request(
    sim: DoceboSimulator, make_connector: Callable[..., DoceboConnector]
) -> None:
    connector = make_connector(page_size=10)
    course, users = seed_learners(sim, 25)
    list(connector.fetch())  # the connector learns which lists the tenant serves
    sim.clear_log()
    list(connector.fetch())
    without = [reads(r) for r in sim.requests]
    for n, user in enumerate(users):
        sim.set_enrollment_progress(course, user, status="completed", score=n)
    sim.clear_log()
    assert all(e.progress is not None for e in enrollments(connector).values())
    with_progress = [reads(r) for r in sim.requests]
    assert with_progress == without
    enrollment_pages = sum(path == enrollment_list(sim, course) for _, path, _ in with_progress)
    assert enrollment_pages == 3  # 25 items, 10 a page
    era_lists = {"/audiences/v1/audience"} if sim.api_era == "modern" else {"/manage/v1/group"}
    assert {path for _, path, _ in with_progress} <= LISTS | era_lists | {
        enrollment_list(sim, course)
    }


def reads(request: LoggedRequest) -> tuple[str, str, object]:
    return request.method, request.path, request.query


def test_an_unparseable_date_is_none_and_the_status_stands(
    sim: DoceboSimulator, connector: DoceboConnector
) -> None:
    course, (user,) = seed_learners(sim, 1)
    sim.set_enrollment_progress(course, user, status="completed", score=80)
    stored = sim.state.enrollments[(course, user)]
    sim.state.put_enrollment(replace(stored, course_complete_date="0000-00-00 00:00:00"))
    found = enrollments(connector)[key(course, user)]
    assert found.status is EnrollmentStatus.COMPLETED
    assert found.progress is not None
    assert (found.progress.completed_at, found.progress.score) == (None, 80.0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01 08:30:05", dt.datetime(2024, 3, 1, 8, 30, 5, tzinfo=UTC)),
        (" 2024-03-01 08:30:05 ", dt.datetime(2024, 3, 1, 8, 30, 5, tzinfo=UTC)),
        ("2024-03-01T10:30:05+02:00", dt.datetime(2024, 3, 1, 8, 30, 5, tzinfo=UTC)),
        ("2024-03-01T08:30:05Z", dt.datetime(2024, 3, 1, 8, 30, 5, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        ("0000-00-00 00:00:00", None),
        ("yesterday", None),
        ("2024-02-30 10:00:00", None),
        (1709281805, None),
    ],
)
def test_docebo_time(raw: object, expected: dt.datetime | None) -> None:
    parsed = mapping.utc_time(raw)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (92.5, 92.5),
        (0, 0.0),
        (100, 100.0),
        ("73.25", 73.25),
        (None, None),
        ("", None),
        ("n/a", None),
        ("nan", None),
        (float("inf"), None),
        (True, None),
        ([], None),
    ],
)
def test_score(raw: object, expected: float | None) -> None:
    assert mapping.score(raw) == expected


def item(**fields: Any) -> dict[str, Any]:
    return {"id": 7, "user_id": 12, "status": "in_progress", **fields}


@pytest.mark.parametrize(
    ("status", "raw_status", "normalized"),
    [
        ("completed", "completed", EnrollmentStatus.COMPLETED),
        (2, "2", EnrollmentStatus.COMPLETED),
        ("waiting", "waiting", EnrollmentStatus.ENROLLED),
        (None, None, EnrollmentStatus.IN_PROGRESS),
    ],
)
def test_raw_status_is_the_status_as_sent(
    status: object, raw_status: str | None, normalized: EnrollmentStatus
) -> None:
    read = mapping.enrollment(item(status=status))
    assert read.status is normalized
    assert read.progress == Progress(raw_status=raw_status)


def test_an_item_without_progress_fields_still_carries_progress() -> None:
    assert mapping.enrollment(item()).progress == Progress(raw_status="in_progress")
