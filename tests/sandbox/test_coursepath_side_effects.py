"""What the Coursepath simulator records that the academy does on its own (docs/lms/
coursepath.md, "Side effects"), by calling it directly: each invitation, of any scope, is a
welcome email (seed 003, "Invite members"); each course removal deletes the learner's
results (seed 003, "Course enrollment": "Beware: this also deletes all learning results of
that member!"); nothing else a write does counts, and the totals survive a dump and load."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import CoursepathSimulator

API = "/api/v1"


@pytest.fixture
def ann(coursepath: CoursepathSimulator) -> int:
    return coursepath.seed_member("ann@acme.example", "Ann")


@pytest.fixture
def sec(coursepath: CoursepathSimulator) -> int:
    return coursepath.seed_course("SEC-101", "Security basics")


def coursemember(course_id: int, member_id: int) -> str:
    return f"{API}/courses/{course_id}/members/{member_id}/coursemember"


def test_a_new_academy_has_done_nothing_on_its_own(coursepath: CoursepathSimulator) -> None:
    assert coursepath.side_effects() == {}


def test_every_invitation_is_a_welcome_email_whatever_its_scope(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    coursepath.enroll(sec, ann)
    coursepath_client.post(f"{API}/programs/{program}/members/{ann}/programmember")
    for path in (
        f"{API}/members/{ann}/invite",
        f"{API}/courses/{sec}/members/{ann}/invite",
        f"{API}/programs/{program}/members/{ann}/invite",
    ):
        assert coursepath_client.post(path).status_code == 204
    assert coursepath.side_effects() == {"welcome_email": 3}


def test_a_refused_invitation_emails_nobody(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    assert coursepath_client.post(f"{API}/courses/{sec}/members/{ann}/invite").status_code == 404
    assert coursepath_client.post(f"{API}/members/99/invite").status_code == 404
    assert coursepath.side_effects() == {}


def test_removing_a_learner_from_a_course_deletes_her_results_once(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.enroll(sec, ann)
    coursepath.set_result(sec, ann, score=90, success=True, completed="2024-05-01T10:00:00Z")
    assert coursepath_client.delete(coursemember(sec, ann)).status_code == 204
    assert coursepath_client.delete(coursemember(sec, ann)).status_code == 404  # nothing left
    assert coursepath.side_effects() == {"results_deleted": 1}


def test_removing_a_member_from_a_program_deletes_nothing_the_seed_names(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    """Seed 003 warns of deleted results for a course's DELETE only: a program's records none."""
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    path = f"{API}/programs/{program}/members/{ann}/programmember"
    assert coursepath_client.post(path).status_code == 201
    assert coursepath_client.delete(path).status_code == 204
    assert coursepath.side_effects() == {}


def test_creating_enrolling_and_grouping_email_nobody(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    """No source says Coursepath mails a member it creates, enrolls or adds to a group."""
    created = coursepath_client.post(f"{API}/courses/{sec}/members", json={"email": "b@acme.ex"})
    assert created.status_code == 201
    assert coursepath_client.post(f"{API}/members", json={"email": "c@acme.ex"}).status_code == 201
    assert coursepath_client.post(coursemember(sec, ann)).status_code == 201
    joined = coursepath_client.post(f"{API}/members/{ann}/groups", json={"name": "Sales"})
    assert joined.status_code == 201
    assert coursepath.side_effects() == {}


def test_the_totals_survive_a_dump_and_load(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, sec: int
) -> None:
    coursepath.enroll(sec, ann)
    coursepath_client.delete(coursemember(sec, ann))
    coursepath_client.post(f"{API}/members/{ann}/invite")
    copy = CoursepathSimulator(jwt_secret=coursepath.jwt_secret)
    copy.load_state(coursepath.dump_state())
    assert copy.side_effects() == {"welcome_email": 1, "results_deleted": 1}
    older = {k: v for k, v in coursepath.dump_state().items() if k != "results_deleted"}
    copy.load_state(older)  # a dump written before the count was kept
    assert copy.side_effects() == {"welcome_email": 1}
