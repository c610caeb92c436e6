"""The course and program rules of docs/lms/coursepath.md against the Coursepath
simulator: courses (100 a page), a member's courses and a course's members,
creation into a course or program, `coursemember` (the enrollment date on the
academy's clock, the result and certificate; its DELETE deletes the learner's
results) and `programmember`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import CoursepathSimulator
from syncd.sandbox.core import ManualClock

API = "/api/v1"
EMPTY_RESULT = {"score": None, "success": None, "completedDate": None, "certificate": None}
START = "2023-11-14T22:13:20Z"  # the ManualClock's start, as Coursepath prints dates


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def coursemember(course_id: int, member_id: int) -> str:
    return f"{API}/courses/{course_id}/members/{member_id}/coursemember"


def programmember(program_id: int, member_id: int) -> str:
    return f"{API}/programs/{program_id}/members/{member_id}/programmember"


@pytest.fixture
def ann(coursepath: CoursepathSimulator) -> int:
    return coursepath.seed_member("ann@acme.example", "Ann")


@pytest.fixture
def sec(coursepath: CoursepathSimulator) -> int:
    return coursepath.seed_course("SEC-101", "Security Awareness")


# -- courses -------------------------------------------------------------------------


def test_courses_have_id_code_and_name(coursepath_client: httpx.Client, sec: int) -> None:
    item = {"id": sec, "code": "SEC-101", "name": "Security Awareness"}
    assert ok(coursepath_client.get(f"{API}/courses")) == [item]
    assert ok(coursepath_client.get(f"{API}/courses/{sec}")) == item
    assert ok(coursepath_client.get(f"{API}/courses/9"), 404)["error"] == "not_found"


def test_course_lists_hold_100_by_default(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    for n in range(101):
        coursepath.enroll(coursepath.seed_course(f"C-{n}", f"Course {n}"), ann)
    assert len(ok(coursepath_client.get(f"{API}/courses"))) == 100
    assert len(ok(coursepath_client.get(f"{API}/courses", params={"offset": 100}))) == 1
    assert len(ok(coursepath_client.get(f"{API}/members/{ann}/courses"))) == 100
    assert (
        len(ok(coursepath_client.get(f"{API}/members/{ann}/courses", params={"limit": 200}))) == 101
    )


def test_a_members_courses_and_a_courses_members(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.seed_course("GDPR-201", "GDPR")
    bob = coursepath.seed_member("bob@acme.example", company="Other")
    coursepath.enroll(sec, ann)
    coursepath.enroll(sec, bob)
    assert [c["code"] for c in ok(coursepath_client.get(f"{API}/members/{ann}/courses"))] == [
        "SEC-101"
    ]
    members = ok(coursepath_client.get(f"{API}/courses/{sec}/members"))
    assert [m["id"] for m in members] == [ann, bob]
    filtered = ok(
        coursepath_client.get(f"{API}/courses/{sec}/members", params={"company": "Other"})
    )
    assert [m["id"] for m in filtered] == [bob]


def test_creating_into_a_course_enrolls_the_new_member(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, sec: int
) -> None:
    created = ok(
        coursepath_client.post(f"{API}/courses/{sec}/members", json={"email": "new@acme.example"}),
        201,
    )
    assert created["name"] == "New"
    assert ("SEC-101", "new@acme.example", None, None, None) in coursepath.snapshot().enrollments


def test_creating_into_an_unknown_course_creates_nothing(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    ok(coursepath_client.post(f"{API}/courses/7/members", json={"email": "new@acme.example"}), 404)
    assert "new@acme.example" not in coursepath.snapshot().members


def test_creating_into_a_course_with_a_taken_email_is_409_and_enrolls_nobody(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, sec: int
) -> None:
    """Strictest reading: the seed calls it a create, so a taken email creates nothing and
    the member who holds it is not enrolled either (a connector enrolls her itself)."""
    coursepath.seed_member("taken@acme.example")
    body = {"email": "TAKEN@acme.example"}
    ok(coursepath_client.post(f"{API}/courses/{sec}/members", json=body), 409)
    assert not [e for e in coursepath.snapshot().enrollments if e[1] == "taken@acme.example"]


def test_creating_into_a_program_adds_the_new_member(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    ok(
        coursepath_client.post(
            f"{API}/programs/{program}/members", data={"email": "new@acme.example"}
        ),
        201,
    )
    assert coursepath.snapshot().program_members == {("ONBOARD", "new@acme.example")}
    ok(coursepath_client.post(f"{API}/programs/9/members", json={"email": "x@acme.example"}), 404)


# -- coursemember --------------------------------------------------------------------


def test_post_coursemember_enrolls_201_then_200(
    coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    first = ok(coursepath_client.post(coursemember(sec, ann)), 201)
    assert first == {"courseId": sec, "memberId": ann, "enrolledDate": START, **EMPTY_RESULT}
    assert ok(coursepath_client.post(coursemember(sec, ann))) == first


def test_the_enrollment_date_is_the_academy_clock_at_enrollment(
    coursepath: CoursepathSimulator,
    coursepath_client: httpx.Client,
    clock: ManualClock,
    ann: int,
    sec: int,
) -> None:
    clock.advance(3600)
    ok(coursepath_client.post(coursemember(sec, ann)), 201)
    clock.advance(86400)
    assert ok(coursepath_client.post(coursemember(sec, ann)))["enrolledDate"] == (
        "2023-11-14T23:13:20Z"
    )
    gdpr = coursepath.seed_course("GDPR-201", "GDPR")
    coursepath.enroll(gdpr, ann)
    assert ok(coursepath_client.get(coursemember(gdpr, ann)))["enrolledDate"] == (
        "2023-11-15T23:13:20Z"
    )


def test_set_result_can_backdate_the_enrollment(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.enroll(sec, ann)
    coursepath.set_result(sec, ann, enrolled="2024-01-02T08:00:00Z", score=10.0)
    coursepath.set_result(sec, ann, score=20.0)
    result = ok(coursepath_client.get(coursemember(sec, ann)))
    assert (result["enrolledDate"], result["score"]) == ("2024-01-02T08:00:00Z", 20.0)
    coursepath.set_result(sec, ann, enrolled=None)
    assert ok(coursepath_client.get(coursemember(sec, ann)))["enrolledDate"] is None


def test_get_coursemember_reads_the_result_with_its_certificate(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.enroll(sec, ann)
    coursepath.set_result(sec, ann, score=87.5, success=True, completed="2024-05-01T10:00:00Z")
    assert ok(coursepath_client.get(coursemember(sec, ann))) == {
        "courseId": sec,
        "memberId": ann,
        "enrolledDate": START,
        "score": 87.5,
        "success": True,
        "completedDate": "2024-05-01T10:00:00Z",
        "certificate": f"https://academy.coursepath.test/certificates/{sec}/{ann}.pdf",
    }


def test_a_failed_or_unfinished_result_has_no_certificate(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.enroll(sec, ann)
    coursepath.set_result(sec, ann, score=20, success=False, completed="2024-05-01T10:00:00Z")
    assert ok(coursepath_client.get(coursemember(sec, ann)))["certificate"] is None
    coursepath.set_result(sec, ann, success=True, completed=None)
    assert ok(coursepath_client.get(coursemember(sec, ann)))["certificate"] is None


def test_coursemember_of_a_non_learner_is_404(
    coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    assert "not in course" in ok(coursepath_client.get(coursemember(sec, ann)), 404)["message"]
    assert "not in course" in ok(coursepath_client.delete(coursemember(sec, ann)), 404)["message"]
    ok(coursepath_client.post(coursemember(sec, 99)), 404)
    ok(coursepath_client.post(coursemember(99, ann)), 404)


def test_delete_coursemember_also_deletes_the_results(
    coursepath: CoursepathSimulator,
    coursepath_client: httpx.Client,
    clock: ManualClock,
    ann: int,
    sec: int,
) -> None:
    coursepath.enroll(sec, ann)
    coursepath.set_result(sec, ann, score=90, success=True, completed="2024-05-01T10:00:00Z")
    response = coursepath_client.delete(coursemember(sec, ann))
    assert (response.status_code, response.content) == (204, b"")
    assert coursepath.snapshot().enrollments == frozenset()
    clock.advance(60)
    assert ok(coursepath_client.post(coursemember(sec, ann)), 201) == {
        "courseId": sec,
        "memberId": ann,
        "enrolledDate": "2023-11-14T22:14:20Z",
        **EMPTY_RESULT,
    }


# -- programmember -------------------------------------------------------------------


def test_programmember_adds_and_removes(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    assert ok(coursepath_client.post(programmember(program, ann)), 201) == {
        "programId": program,
        "memberId": ann,
    }
    ok(coursepath_client.post(programmember(program, ann)), 200)
    assert coursepath.snapshot().program_members == {("ONBOARD", "ann@acme.example")}
    assert coursepath_client.delete(programmember(program, ann)).status_code == 204
    assert coursepath.snapshot().program_members == frozenset()
    assert (
        "not in program"
        in ok(coursepath_client.delete(programmember(program, ann)), 404)["message"]
    )


def test_programmember_of_unknown_ids_is_404(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    ok(coursepath_client.post(programmember(9, ann)), 404)
    ok(coursepath_client.post(programmember(program, 99)), 404)
    assert coursepath_client.get(programmember(program, ann)).status_code == 405
