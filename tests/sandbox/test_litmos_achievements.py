"""Litmos achievements: one per completion, dated on the simulator's clock, listed by
`GET /achievements` since a moment (inclusive), searched, sorted, paged and rate limited."""

from __future__ import annotations

import time

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.core import ManualClock
from syncd.sandbox.litmos import words
from tests.sandbox.conftest import json_client

ACHIEVEMENTS = "/v1.svc/achievements"


def _text(moment: float, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return time.strftime(fmt, time.gmtime(moment))


def _ann(sim: LitmosSimulator) -> str:
    return sim.seed_user("ann.archer", "Ann", "Archer", "ann@acme.test")


def _three_completions(sim: LitmosSimulator, clock: ManualClock) -> list[float]:
    """Ann completes C1, C2, C3 one minute apart; the moments they were completed."""
    user = _ann(sim)
    moments = []
    for n in (1, 2, 3):
        course = sim.seed_course(f"C{n}", f"Course {n}")
        sim.complete_course(user, course, score=80.0 + n)
        moments.append(clock.now)
        clock.advance(60)
    return moments


def _titles(client: httpx.Client, **params: str) -> list[str]:
    response = client.get(ACHIEVEMENTS, params=params)
    assert response.status_code == 200, response.text
    return [item["Title"] for item in response.json()]


def test_a_completion_records_an_achievement_on_the_simulator_clock(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    user, course = _ann(litmos), litmos.seed_course("SEC-101", "Security Awareness")
    litmos.assign_course(user, course)
    assert litmos_client.get(ACHIEVEMENTS).json() == []  # an assignment is no achievement
    clock.advance(30)
    litmos.complete_course(user, course, score=87.4)
    (item,) = litmos_client.get(ACHIEVEMENTS).json()
    assert item["AchievementDate"] == _text(clock.now, "%Y-%m-%dT%H:%M:%SZ")
    assert (item["UserId"], item["CourseId"], item["Title"]) == (user, course, "Security Awareness")
    assert (item["Result"], item["Type"], item["Score"]) == ("Complete", "Course Completed", 87)
    assert (item["FirstName"], item["LastName"], item["CertificateId"]) == ("Ann", "Archer", None)


def test_a_completion_without_a_score_shows_a_null_score(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.complete_course(_ann(litmos), litmos.seed_course("C1", "One"), score=None)
    assert litmos_client.get(ACHIEVEMENTS).json()[0]["Score"] is None


def test_each_completion_records_one_more_achievement(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    user, course = _ann(litmos), litmos.seed_course("C1", "One")
    litmos.complete_course(user, course, score=60.0)
    clock.advance(60)
    litmos.complete_course(user, course, score=95.0)  # a retake
    listed = litmos_client.get(ACHIEVEMENTS).json()
    assert [a["Score"] for a in listed] == [60, 95]
    assert len({a["AchievementId"] for a in listed}) == 2


def test_since_is_optional_and_inclusive(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    first, second, third = _three_completions(litmos, clock)
    assert _titles(litmos_client) == ["Course 1", "Course 2", "Course 3"]  # since is optional
    assert _titles(litmos_client, since=_text(first)) == ["Course 1", "Course 2", "Course 3"]
    assert _titles(litmos_client, since=_text(second)) == ["Course 2", "Course 3"]
    assert _titles(litmos_client, since=_text(second + 1)) == ["Course 3"]
    assert _titles(litmos_client, since=_text(third + 1)) == []


def test_to_is_not_a_parameter_of_achievements(litmos_client: httpx.Client) -> None:
    response = litmos_client.get(ACHIEVEMENTS, params={"to": "2024-01-10"})
    assert (response.status_code, response.json()) == (400, {"Detail": words.SPEC_BAD_REQUEST})


def test_achievements_search_and_sort(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    _three_completions(litmos, clock)
    bob = litmos.seed_user("bob.baker", "Bob", "Baker", "bob@acme.test")
    litmos.complete_course(bob, litmos.seed_course("C9", "Course 9"))
    assert _titles(litmos_client, search="baker") == ["Course 9"]
    assert _titles(litmos_client, search="course 2") == ["Course 2"]
    by_name = _titles(litmos_client, sort="LastName", dir="DESC")
    assert by_name[0] == "Course 9"
    refused = litmos_client.get(ACHIEVEMENTS, params={"sort": "Score"})
    assert refused.status_code == 400


def test_since_compares_at_the_whole_second_the_date_shows(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    clock.advance(0.6)
    litmos.complete_course(_ann(litmos), litmos.seed_course("C1", "One"))
    assert _titles(litmos_client, since=_text(clock.now)) == ["One"]
    assert _titles(litmos_client, since=_text(clock.now + 1)) == []


@pytest.mark.parametrize("since", ["2024-01-10 08:30:05", "2024-01-10 08:30", "2024-01-10"])
def test_since_takes_the_formats_of_results_details(
    litmos_client: httpx.Client, since: str
) -> None:
    assert litmos_client.get(ACHIEVEMENTS, params={"since": since}).status_code == 200


def test_a_malformed_since_is_406(litmos_client: httpx.Client) -> None:
    response = litmos_client.get(ACHIEVEMENTS, params={"since": "2024-01-10T08:30:05Z"})
    assert (response.status_code, response.json()) == (406, {"Detail": words.SPEC_BAD_SINCE})


def test_achievements_page_with_start_and_limit(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    _three_completions(litmos, clock)
    assert _titles(litmos_client, start="0", limit="2") == ["Course 1", "Course 2"]
    assert _titles(litmos_client, start="2", limit="2") == ["Course 3"]
    assert _titles(litmos_client, start="3", limit="2") == []
    assert litmos_client.get(ACHIEVEMENTS, params={"limit": "1001"}).status_code == 406


def test_achievements_count_against_the_rate_limit(clock: ManualClock) -> None:
    sim = LitmosSimulator(clock=clock, rate_limit=2, rate_window=10.0)
    with json_client(sim) as client:
        statuses = [client.get(ACHIEVEMENTS).status_code for _ in range(3)]
    assert statuses == [200, 200, 503]


def test_deleting_a_user_deletes_their_achievements(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user = _ann(litmos)
    litmos.complete_course(user, litmos.seed_course("C1", "One"))
    assert litmos_client.delete(f"/v1.svc/users/{user}").status_code == 200
    assert litmos_client.get(ACHIEVEMENTS).json() == []


def test_achievements_survive_a_dump_and_load(
    litmos: LitmosSimulator, clock: ManualClock, litmos_client: httpx.Client
) -> None:
    _three_completions(litmos, clock)
    listed = litmos_client.get(ACHIEVEMENTS).json()
    copy = LitmosSimulator(clock=clock)
    copy.load_state(litmos.dump_state())
    with json_client(copy) as client:
        assert client.get(ACHIEVEMENTS).json() == listed
