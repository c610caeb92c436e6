"""Litmos learning: courses, assignment to users, unassignment, results since a date."""

from __future__ import annotations

import calendar

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.core import ManualClock

DETAILS = "/v1.svc/results/details"


def _user_and_course(sim: LitmosSimulator) -> tuple[str, str]:
    return sim.seed_user("ann", "Ann", "A", "ann@acme.test"), sim.seed_course("SEC-101", "Sec")


def test_courses_list_and_get(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    course = litmos.seed_course("SEC-101", "Security Awareness")
    listed = litmos_client.get("/v1.svc/courses").json()
    assert [(c["Id"], c["Code"]) for c in listed] == [(course, "SEC-101")]
    assert litmos_client.get(f"/v1.svc/courses/{course}").json()["Name"] == "Security Awareness"
    assert litmos_client.get("/v1.svc/courses/nope").status_code == 404


def test_assign_courses_201_empty_and_listed(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    response = litmos_client.post(f"/v1.svc/users/{user}/courses", json=[{"Id": course}])
    assert response.status_code == 201
    assert response.content == b""
    (status,) = litmos_client.get(f"/v1.svc/users/{user}/courses").json()
    assert (status["Id"], status["Code"], status["Complete"]) == (course, "SEC-101", False)
    assert litmos.snapshot().assignments == (("ann", "SEC-101", False, None),)


def test_assigning_twice_keeps_one_assignment(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    litmos_client.post(f"/v1.svc/users/{user}/courses", json=[{"Id": course}])
    litmos_client.post(f"/v1.svc/users/{user}/courses", json={"Course": [{"Id": course}]})
    assert len(litmos_client.get(f"/v1.svc/users/{user}/courses").json()) == 1


def test_assign_404_on_unknown_user_or_course(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    assert litmos_client.post("/v1.svc/users/x/courses", json=[{"Id": course}]).status_code == 404
    unknown = litmos_client.post(
        f"/v1.svc/users/{user}/courses", json=[{"Id": course}, {"Id": "x"}]
    )
    assert unknown.status_code == 404
    assert litmos.snapshot().assignments == ()
    assert litmos_client.post(f"/v1.svc/users/{user}/courses", json=[]).status_code == 400


def test_unassign_200_empty_then_404(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    user, course = _user_and_course(litmos)
    litmos.assign_course(user, course)
    response = litmos_client.delete(f"/v1.svc/users/{user}/courses/{course}")
    assert response.status_code == 200
    assert response.content == b""
    assert litmos_client.delete(f"/v1.svc/users/{user}/courses/{course}").status_code == 404
    assert litmos.snapshot().assignments == ()


def _at(text: str) -> float:
    year, month, day = map(int, text.split("-"))
    return float(calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0)))


def test_results_details_since_a_date(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    user, course = _user_and_course(litmos)
    old = litmos.seed_course("OLD-1", "Old")
    litmos.complete_course(user, old, score=70.0, completed_at=_at("2024-01-10"))
    litmos.complete_course(user, course, score=95.0, completed_at=_at("2024-03-05"))
    since = litmos_client.get(DETAILS, params={"since": "2024-02-01"}).json()
    assert [(r["Code"], r["Complete"], r["CompletedDate"]) for r in since] == [
        ("SEC-101", True, "2024-03-05T00:00:00Z")
    ]
    everything = litmos_client.get(DETAILS, params={"since": "2024-01-01 00:00"}).json()
    assert [r["Code"] for r in everything] == ["OLD-1", "SEC-101"]
    bounded = {"since": "2024-01-01 00:00:00", "to": "2024-02-01"}
    assert [r["Code"] for r in litmos_client.get(DETAILS, params=bounded).json()] == ["OLD-1"]
    assert litmos.snapshot().assignments[1] == ("ann", "SEC-101", True, 95.0)


@pytest.mark.parametrize("since", ["", "01/02/2024", "2024-13-01", "2024-01-01T00:00:00"])
def test_results_details_406_on_a_missing_or_malformed_since(
    litmos_client: httpx.Client, since: str
) -> None:
    response = litmos_client.get(DETAILS, params={"since": since})
    assert response.status_code == 406
    assert "yyyy-MM-dd" in response.json()["Detail"]


def test_results_details_406_on_a_malformed_to(litmos_client: httpx.Client) -> None:
    params = {"since": "2024-01-01", "to": "yesterday"}
    assert litmos_client.get(DETAILS, params=params).status_code == 406


def test_results_details_pages_and_ends_on_an_empty_page(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    course = litmos.seed_course("SEC-101", "Sec")
    for i in range(3):
        litmos.assign_course(litmos.seed_user(f"u{i}", "U", str(i), f"u{i}@a.test"), course)
        clock.advance(1)
    pages = [
        litmos_client.get(DETAILS, params={"since": "2000-01-01", "limit": 2, "start": s}).json()
        for s in (0, 2, 4)
    ]
    assert [len(p) for p in pages] == [2, 1, 0]


def test_deleting_a_user_drops_their_results(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    litmos.complete_course(user, course)
    litmos_client.delete(f"/v1.svc/users/{user}")
    assert litmos_client.get(DETAILS, params={"since": "2000-01-01"}).json() == []
