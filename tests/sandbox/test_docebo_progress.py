"""The learner's progress on Docebo enrollments: how the simulator holds it, records it
(`set_enrollment_progress`) and renders it in `GET /learn/v1/enrollments`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from syncd.sandbox import DoceboSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]

ENROLLMENTS = "/learn/v1/enrollments"
START = "2023-11-14 22:13:20"  # ManualClock's start, as Docebo prints it
LATER = "2023-11-14 22:23:20"  # ten minutes on (the token lives an hour)
MOMENT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def pair(sim: DoceboSimulator) -> tuple[int, int]:
    """(course id, user id) of one enrollment made at the clock's start."""
    user = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    course = sim.seed_course("SEC-101", "Security")
    sim.seed_enrollment(course, user)
    return course, user


def listed(client: httpx.Client) -> Json:
    """The only item of the enrollment list."""
    response = client.get(ENROLLMENTS)
    assert response.status_code == 200, response.text
    [item] = response.json()["data"]["items"]
    return dict(item)


def progress_of(item: Json) -> tuple[object, ...]:
    return (item["status"], item["enroll_begin_date"], item["course_complete_date"], item["score"])


def test_an_enrollment_through_the_api_is_dated_on_the_clock(
    client: httpx.Client, sim: DoceboSimulator, clock: ManualClock
) -> None:
    user = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    course = sim.seed_course("SEC-101", "Security")
    clock.advance(600)
    client.post(ENROLLMENTS, json={"course_ids": [course], "user_ids": [user]})
    clock.advance(60)
    assert progress_of(listed(client)) == ("subscribed", LATER, None, None)


def test_in_progress_with_a_score(
    client: httpx.Client, sim: DoceboSimulator, pair: tuple[int, int]
) -> None:
    sim.set_enrollment_progress(*pair, status="in_progress", score=40.5)
    assert progress_of(listed(client)) == ("in_progress", START, None, 40.5)


def test_completing_takes_the_clock(
    client: httpx.Client, sim: DoceboSimulator, clock: ManualClock, pair: tuple[int, int]
) -> None:
    clock.advance(600)
    sim.set_enrollment_progress(*pair, status="completed", score=88)
    assert progress_of(listed(client)) == ("completed", START, LATER, 88)


def test_completing_at_a_given_moment_prints_it_in_utc(
    client: httpx.Client, sim: DoceboSimulator, pair: tuple[int, int]
) -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    when = dt.datetime(2024, 3, 1, 10, 30, 5, tzinfo=paris)
    sim.set_enrollment_progress(*pair, status="completed", completed_at=when)
    assert listed(client)["course_complete_date"] == "2024-03-01 08:30:05"


def test_completing_again_keeps_the_first_completion_date(
    client: httpx.Client, sim: DoceboSimulator, clock: ManualClock, pair: tuple[int, int]
) -> None:
    sim.set_enrollment_progress(*pair, status="completed", score=70)
    clock.advance(600)
    sim.set_enrollment_progress(*pair, status="completed", score=95)
    assert progress_of(listed(client)) == ("completed", START, START, 95)


def test_leaving_completed_clears_the_completion_date(
    client: httpx.Client, sim: DoceboSimulator, pair: tuple[int, int]
) -> None:
    sim.set_enrollment_progress(*pair, status="completed", score=70)
    sim.set_enrollment_progress(*pair, status="in_progress")
    assert progress_of(listed(client)) == ("in_progress", START, None, None)


def test_enrolling_again_keeps_the_progress(
    client: httpx.Client, sim: DoceboSimulator, clock: ManualClock, pair: tuple[int, int]
) -> None:
    sim.set_enrollment_progress(*pair, status="completed", score=70)
    clock.advance(600)
    course, user = pair
    client.post(ENROLLMENTS, json={"course_ids": [course], "user_ids": [user]})
    assert progress_of(listed(client)) == ("completed", START, START, 70)


def test_progress_survives_a_dump_and_load(
    client: httpx.Client, sim: DoceboSimulator, pair: tuple[int, int]
) -> None:
    sim.set_enrollment_progress(*pair, status="completed", score=61.25)
    before = listed(client)
    sim.load_state(sim.dump_state())
    assert listed(client) == before


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": "waiting"}, "unknown status"),
        ({"status": "in_progress", "completed_at": MOMENT}, "needs status 'completed'"),
        ({"status": "completed", "completed_at": MOMENT.replace(tzinfo=None)}, "timezone-aware"),
    ],
)
def test_recording_progress_refuses_what_docebo_could_not_hold(
    client: httpx.Client,
    sim: DoceboSimulator,
    pair: tuple[int, int],
    changes: dict[str, Any],
    words: str,
) -> None:
    with pytest.raises(ValueError, match=words):
        sim.set_enrollment_progress(*pair, **changes)
    assert progress_of(listed(client)) == ("subscribed", START, None, None)


def test_recording_progress_needs_an_enrollment(sim: DoceboSimulator) -> None:
    user = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    course = sim.seed_course("SEC-101", "Security")
    with pytest.raises(ValueError, match="not enrolled"):
        sim.set_enrollment_progress(course, user, status="in_progress")
