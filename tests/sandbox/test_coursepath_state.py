"""The Coursepath simulator's test surface: seeding helpers (ValueError where the
API would refuse), the comparable snapshot, and the JSON dump/load round trip."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from syncd.sandbox import CoursepathSimulator
from syncd.sandbox.coursepath import CoursepathSnapshot


def populated(sim: CoursepathSimulator) -> CoursepathSimulator:
    ann = sim.seed_member("ann@acme.example", "Ann", company="Acme", externalId="E-1")
    bob = sim.seed_member("bob@acme.example", active=False)
    course = sim.seed_course("SEC-101", "Security")
    program = sim.seed_program("ONBOARD", "Onboarding")
    sim.enroll(course, ann)
    sim.enroll(course, bob)
    sim.set_result(course, ann, score=90.0, success=True, completed="2024-05-01T10:00:00Z")
    sim.add_to_group(ann, "Sales")
    sim.state.program_members.add((program, bob))
    return sim


def test_the_snapshot_is_keyed_by_emails_codes_and_group_names(
    coursepath: CoursepathSimulator,
) -> None:
    assert populated(coursepath).snapshot() == CoursepathSnapshot(
        members={
            "api@acme.example": ("API Admin", True, ()),
            "ann@acme.example": ("Ann", True, (("company", "Acme"), ("externalId", "E-1"))),
            "bob@acme.example": ("Bob", False, ()),
        },
        courses={"SEC-101": "Security"},
        programs={"ONBOARD": "Onboarding"},
        enrollments=frozenset(
            {
                ("SEC-101", "ann@acme.example", 90.0, True, "2024-05-01T10:00:00Z"),
                ("SEC-101", "bob@acme.example", None, None, None),
            }
        ),
        program_members=frozenset({("ONBOARD", "bob@acme.example")}),
        groups={"Sales": frozenset({"ann@acme.example"})},
    )


def test_dump_and_load_round_trip_through_json(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    populated(coursepath)
    assert (
        coursepath_client.post("/api/v1/members/2/invite", data={"mail[subject]": "Hi"}).status_code
        == 204
    )
    dumped = json.loads(json.dumps(coursepath.dump_state()))
    restored = CoursepathSimulator(clock=coursepath.clock)
    restored.load_state(dumped)
    assert restored.snapshot() == coursepath.snapshot()
    assert restored.invitations == coursepath.invitations
    assert restored.dump_state() == coursepath.dump_state()
    assert restored.seed_member("new@acme.example") == 4


def test_load_refuses_an_unknown_format(coursepath: CoursepathSimulator) -> None:
    with pytest.raises(ValueError, match="format"):
        coursepath.load_state({"format": 99})


def test_load_replaces_everything(coursepath: CoursepathSimulator) -> None:
    empty = CoursepathSimulator().dump_state()
    populated(coursepath).load_state(empty)
    assert coursepath.snapshot() == CoursepathSimulator().snapshot()


@pytest.mark.parametrize(
    ("seed", "words"),
    [
        (lambda s: s.seed_member("api@ACME.example"), "email in use"),
        (lambda s: s.seed_member("no-at-sign"), "not an email"),
        (lambda s: s.seed_member("x@acme.example", password="p"), "unknown member fields"),
        (lambda s: s.seed_course("C", "One") and s.seed_course("C", "Two"), "course code in use"),
        (
            lambda s: s.seed_program("P", "One") and s.seed_program("P", "Two"),
            "program code in use",
        ),
        (lambda s: s.enroll(9, 1), "no course 9"),
        (lambda s: s.enroll(s.seed_course("C", "One"), 9), "no member 9"),
        (lambda s: s.set_result(s.seed_course("C", "One"), 1, score=1.0), "not enrolled"),
        (lambda s: s.add_to_group(9, "Sales"), "no member 9"),
        (lambda s: s.add_to_group(1, " "), "needs a name"),
    ],
)
def test_seeding_refuses_what_the_api_would(
    coursepath: CoursepathSimulator, seed: Callable[[CoursepathSimulator], object], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        seed(coursepath)


def test_set_result_keeps_what_it_is_not_given(coursepath: CoursepathSimulator) -> None:
    course = coursepath.seed_course("C", "One")
    coursepath.enroll(course, 1)
    coursepath.set_result(course, 1, score=50.0)
    coursepath.set_result(course, 1, success=False)
    assert coursepath.snapshot().enrollments == {("C", "api@acme.example", 50.0, False, None)}


def test_every_request_is_logged(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    coursepath_client.get("/api/v1/members")
    coursepath_client.post("/api/v1/members", json={"email": "new@acme.example"})
    assert [(r.method, r.path, r.status) for r in coursepath.requests] == [
        ("GET", "/api/v1/members", 200),
        ("POST", "/api/v1/members", 201),
    ]
    assert [r.path for r in coursepath.writes] == ["/api/v1/members"]
