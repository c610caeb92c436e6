"""Litmos learning: courses, assignment to users (the spec's Body_6, 200, assignment
emails unless sendmessage=false), unassignment, and results in a since/to window."""

from __future__ import annotations

import calendar

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.core import ManualClock
from syncd.sandbox.litmos import SentMessage, words
from syncd.sandbox.litmos.validation import date_words

DETAILS = "/v1.svc/results/details"
WINDOW = {"since": "2000-01-01", "to": "2100-01-01"}


def _refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["Detail"]


def _user_and_course(sim: LitmosSimulator) -> tuple[str, str]:
    user = sim.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    return user, sim.seed_course("SEC-101", "Sec")


def _courses(*ids: str) -> dict[str, list[dict[str, str]]]:
    return {"Course": [{"Id": course_id} for course_id in ids]}


def test_courses_list_search_and_get(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    course = litmos.seed_course("SEC-101", "Security Awareness")
    litmos.seed_course("GDPR-201", "GDPR")
    listed = litmos_client.get("/v1.svc/courses", params={"search": "sec"}).json()
    assert [(c["Id"], c["Code"]) for c in listed] == [(course, "SEC-101")]
    assert litmos_client.get(f"/v1.svc/courses/{course}").json()["Name"] == "Security Awareness"
    assert _refusal(litmos_client.get("/v1.svc/courses/nope")) == (404, words.NO_COURSE)


def test_assign_courses_takes_body_6_and_answers_200_empty(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    url = f"/v1.svc/users/{user}/courses"
    response = litmos_client.post(url, params={"sendmessage": "false"}, json=_courses(course))
    assert (response.status_code, response.content) == (200, b"")
    (status,) = litmos_client.get(url).json()
    assert (status["Id"], status["Code"], status["Complete"]) == (course, "SEC-101", False)
    assert litmos.snapshot().assignments == (("ann.archer", "SEC-101", False, None),)
    assert litmos.sent_messages == []


def test_one_assignment_assigns_every_course_of_its_list(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    other = litmos.seed_course("GDPR-201", "GDPR")
    url = f"/v1.svc/users/{user}/courses"
    response = litmos_client.post(
        url, params={"sendmessage": "false"}, json=_courses(course, other)
    )
    assert (response.status_code, response.content) == (200, b"")
    assert litmos.snapshot().assignments == (
        ("ann.archer", "GDPR-201", False, None),
        ("ann.archer", "SEC-101", False, None),
    )


def test_assignment_sends_an_email_unless_sendmessage_is_false(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    other = litmos.seed_course("GDPR-201", "GDPR")
    url = f"/v1.svc/users/{user}/courses"
    litmos_client.post(url, json=_courses(course))  # spec: emails are sent by default
    litmos_client.post(url, params={"sendmessage": "True"}, json=_courses(other))
    litmos_client.post(url, params={"sendmessage": "FALSE"}, json=_courses(course, other))
    assert litmos.sent_messages == [
        SentMessage("course", user, course),
        SentMessage("course", user, other),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        [{"Id": "x"}],  # the captures' bare array: Body_6 is an object
        {"Course": []},
        {},
        {"Course": [{"Code": "SEC-101"}]},
        {"Course": {"Id": "x"}},
    ],
)
def test_assignment_bodies_the_spec_refuses_are_400(
    litmos: LitmosSimulator, litmos_client: httpx.Client, payload: object
) -> None:
    user, _ = _user_and_course(litmos)
    response = litmos_client.post(f"/v1.svc/users/{user}/courses", json=payload)
    assert _refusal(response) == (400, words.SEED_BAD_REQUEST)
    assert litmos.snapshot().assignments == ()


def test_assigning_twice_keeps_one_assignment(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    for _ in range(2):
        litmos_client.post(f"/v1.svc/users/{user}/courses", json=_courses(course))
    assert len(litmos_client.get(f"/v1.svc/users/{user}/courses").json()) == 1


def test_assign_404_on_unknown_user_or_course(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    nobody = litmos_client.post("/v1.svc/users/x/courses", json=_courses(course))
    assert _refusal(nobody) == (404, words.NO_USER)
    unknown = litmos_client.post(f"/v1.svc/users/{user}/courses", json=_courses(course, "x"))
    assert _refusal(unknown) == (404, words.NO_COURSE)
    assert litmos.snapshot().assignments == ()
    assert litmos.sent_messages == []


def test_unassign_200_empty_then_404(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    user, course = _user_and_course(litmos)
    litmos.assign_course(user, course)
    response = litmos_client.delete(f"/v1.svc/users/{user}/courses/{course}")
    assert (response.status_code, response.content) == (200, b"")
    again = litmos_client.delete(f"/v1.svc/users/{user}/courses/{course}")
    assert _refusal(again) == (404, words.NOT_ASSIGNED)
    assert litmos.snapshot().assignments == ()


def _at(text: str) -> float:
    year, month, day = map(int, text.split("-"))
    return float(calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0)))


def test_results_details_in_a_since_to_window(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    old = litmos.seed_course("OLD-1", "Old")
    litmos.complete_course(user, old, score=70.0, completed_at=_at("2024-01-10"))
    litmos.complete_course(user, course, score=95.0, completed_at=_at("2024-03-05"))
    recent = {"since": "2024-02-01", "to": "2024-12-31 23:59:59"}
    found = litmos_client.get(DETAILS, params=recent).json()
    assert [(r["Code"], r["Complete"], r["CompletedDate"]) for r in found] == [
        ("SEC-101", True, "2024-03-05T00:00:00Z")
    ]
    everything = {"since": "2024-01-01 00:00", "to": "2024-03-05"}
    assert [r["Code"] for r in litmos_client.get(DETAILS, params=everything).json()] == [
        "OLD-1",
        "SEC-101",
    ]
    bounded = {"since": "2024-01-01 00:00:00", "to": "2024-02-01"}
    assert [r["Code"] for r in litmos_client.get(DETAILS, params=bounded).json()] == ["OLD-1"]
    assert litmos.snapshot().assignments[1] == ("ann.archer", "SEC-101", True, 95.0)


@pytest.mark.parametrize("missing", ["since", "to"])
def test_results_details_needs_since_and_to(litmos_client: httpx.Client, missing: str) -> None:
    params = {k: v for k, v in WINDOW.items() if k != missing}
    assert _refusal(litmos_client.get(DETAILS, params=params)) == (406, date_words(missing))


@pytest.mark.parametrize("name", ["since", "to"])
@pytest.mark.parametrize("value", ["", "01/02/2024", "2024-13-01", "2024-01-01T00:00:00"])
def test_results_details_406_on_a_malformed_date(
    litmos_client: httpx.Client, name: str, value: str
) -> None:
    response = litmos_client.get(DETAILS, params={**WINDOW, name: value})
    assert _refusal(response) == (406, date_words(name))


def test_the_since_sentence_is_the_spec_s(litmos_client: httpx.Client) -> None:
    response = litmos_client.get(DETAILS, params={"to": "2024-01-01"})
    assert response.json() == {
        "Detail": "Please provide a valid 'since=' query string parameter. Valid formats are "
        "'yyyy-MM-dd HH:mm:ss' or 'yyyy-MM-dd HH:mm' or 'yyyy-MM-dd'"
    }


def test_results_details_other_refusals_take_the_operation_s_400(
    litmos_client: httpx.Client,
) -> None:
    response = litmos_client.get(DETAILS, params={**WINDOW, "start": "x"})
    assert _refusal(response) == (400, words.SPEC_BAD_REQUEST)
    too_many = litmos_client.get(DETAILS, params={**WINDOW, "limit": "1001"})
    assert _refusal(too_many) == (406, words.SPEC_TOO_MANY)


def test_results_details_pages_and_ends_on_an_empty_page(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    course = litmos.seed_course("SEC-101", "Sec")
    for i in range(3):
        litmos.assign_course(litmos.seed_user(f"user{i}", "U", str(i), f"u{i}@a.test"), course)
        clock.advance(1)
    pages = [
        litmos_client.get(DETAILS, params={**WINDOW, "limit": 2, "start": s}).json()
        for s in (0, 2, 4)
    ]
    assert [len(p) for p in pages] == [2, 1, 0]


def test_deleting_a_user_drops_their_results(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user, course = _user_and_course(litmos)
    litmos.complete_course(user, course)
    litmos_client.delete(f"/v1.svc/users/{user}")
    assert litmos_client.get(DETAILS, params=WINDOW).json() == []
