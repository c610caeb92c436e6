"""The invitation and group rules of docs/lms/coursepath.md against the Coursepath
simulator: the three invite endpoints with the optional mail[subject],
mail[body] and mail[action] override, and groups joined and left by name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import CoursepathSimulator
from syncd.sandbox.coursepath import Invitation

API = "/api/v1"
SENT_AT = "2023-11-14T22:13:20Z"  # the manual clock's start


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def ann(coursepath: CoursepathSimulator) -> int:
    return coursepath.seed_member("ann@acme.example", "Ann")


# -- invitations ---------------------------------------------------------------------


def test_an_academy_invite_is_recorded_with_the_academy_text(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    response = coursepath_client.post(f"{API}/members/{ann}/invite")
    assert (response.status_code, response.content) == (204, b"")
    assert coursepath.invitations == [
        Invitation("ann@acme.example", "academy", None, None, None, None, SENT_AT)
    ]


def test_the_mail_override_as_form_fields(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    form = {"mail[subject]": "Welcome", "mail[body]": "Hi Ann", "mail[action]": "Start"}
    ok(coursepath_client.post(f"{API}/members/{ann}/invite", data=form), 204)
    [sent] = coursepath.invitations
    assert (sent.subject, sent.body, sent.action) == ("Welcome", "Hi Ann", "Start")


def test_the_mail_override_as_json_in_part(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    ok(
        coursepath_client.post(f"{API}/members/{ann}/invite", json={"mail": {"subject": "Hello"}}),
        204,
    )
    ok(coursepath_client.post(f"{API}/members/{ann}/invite", json={"mail[body]": "Text"}), 204)
    first, second = coursepath.invitations
    assert (first.subject, first.body, second.subject, second.body) == ("Hello", None, None, "Text")


@pytest.mark.parametrize(
    "body",
    [{"mail[footer]": "x"}, {"subject": "x"}, {"mail": "x"}, {"mail": {"subject": 1}}, ["x"]],
)
def test_an_invite_body_beyond_the_override_is_400(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int, body: object
) -> None:
    ok(coursepath_client.post(f"{API}/members/{ann}/invite", json=body), 400)
    assert coursepath.invitations == []


def test_course_and_program_invites_need_the_member_in_them(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    course = coursepath.seed_course("SEC-101", "Security")
    program = coursepath.seed_program("ONBOARD", "Onboarding")
    course_invite = f"{API}/courses/{course}/members/{ann}/invite"
    program_invite = f"{API}/programs/{program}/members/{ann}/invite"
    assert "not in course" in ok(coursepath_client.post(course_invite), 404)["message"]
    assert "not in program" in ok(coursepath_client.post(program_invite), 404)["message"]
    coursepath.enroll(course, ann)
    ok(coursepath_client.post(f"{API}/programs/{program}/members/{ann}/programmember"), 201)
    ok(coursepath_client.post(course_invite, data={"mail[subject]": "Go"}), 204)
    ok(coursepath_client.post(program_invite), 204)
    assert [(i.scope, i.code, i.subject) for i in coursepath.invitations] == [
        ("course", "SEC-101", "Go"),
        ("program", "ONBOARD", None),
    ]


def test_invites_to_unknown_ids_are_404(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    ok(coursepath_client.post(f"{API}/members/99/invite"), 404)
    ok(coursepath_client.post(f"{API}/courses/9/members/1/invite"), 404)
    ok(coursepath_client.post(f"{API}/programs/9/members/1/invite"), 404)
    assert coursepath.invitations == []


# -- groups --------------------------------------------------------------------------


def test_joining_by_name_creates_the_group_then_is_idempotent(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    joined = ok(coursepath_client.post(f"{API}/members/{ann}/groups", json={"name": "Sales"}), 201)
    again = ok(coursepath_client.post(f"{API}/members/{ann}/groups", data={"name": "Sales"}), 200)
    assert joined == again == {"id": 1, "name": "Sales"}
    assert coursepath.snapshot().groups == {"Sales": frozenset({"ann@acme.example"})}


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 3}, {"name": "A", "code": "B"}])
def test_joining_needs_exactly_a_name(
    coursepath_client: httpx.Client, ann: int, body: dict[str, object]
) -> None:
    ok(coursepath_client.post(f"{API}/members/{ann}/groups", json=body), 400)


def test_group_names_are_matched_exactly(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    coursepath.add_to_group(ann, "Sales")
    ok(coursepath_client.post(f"{API}/members/{ann}/groups", json={"name": "sales"}), 201)
    assert set(coursepath.snapshot().groups) == {"Sales", "sales"}


def test_group_lists(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    coursepath.add_to_group(ann, "Sales")
    coursepath.add_to_group(1, "Admins")
    coursepath.add_to_group(1, "Sales")
    assert ok(coursepath_client.get(f"{API}/groups")) == [
        {"id": 1, "name": "Sales"},
        {"id": 2, "name": "Admins"},
    ]
    assert ok(coursepath_client.get(f"{API}/members/{ann}/groups")) == [{"id": 1, "name": "Sales"}]
    members = ok(coursepath_client.get(f"{API}/groups/1/members"))
    assert [m["email"] for m in members] == ["api@acme.example", "ann@acme.example"]
    only = ok(
        coursepath_client.get(f"{API}/groups/1/members", params={"email": "ann@acme.example"})
    )
    assert [m["id"] for m in only] == [ann]
    ok(coursepath_client.get(f"{API}/groups/9/members"), 404)


def test_group_lists_hold_500_by_default(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    for n in range(501):
        coursepath.add_to_group(ann, f"G{n}")
    assert len(ok(coursepath_client.get(f"{API}/groups"))) == 500
    assert len(ok(coursepath_client.get(f"{API}/members/{ann}/groups"))) == 500
    assert len(ok(coursepath_client.get(f"{API}/groups", params={"offset": 500}))) == 1


def test_leaving_named_groups(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    for name in ("Sales", "Admins", "Berlin"):
        coursepath.add_to_group(ann, name)
    path = f"{API}/members/{ann}/groups"
    ok(coursepath_client.delete(path, params={"name": ["Sales", "Berlin"]}), 204)
    groups = coursepath.snapshot().groups
    assert (groups["Admins"], groups["Sales"], groups["Berlin"]) == (
        frozenset({"ann@acme.example"}),
        frozenset(),
        frozenset(),
    )


def test_leaving_a_group_not_joined_is_404_and_leaves_nothing(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    coursepath.add_to_group(ann, "Sales")
    path = f"{API}/members/{ann}/groups"
    assert (
        "not in group"
        in ok(coursepath_client.delete(path, params={"name": ["Sales", "Nope"]}), 404)["message"]
    )
    assert coursepath.snapshot().groups == {"Sales": frozenset({"ann@acme.example"})}


def test_leaving_without_a_name_leaves_every_group(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, ann: int
) -> None:
    coursepath.add_to_group(ann, "Sales")
    coursepath.add_to_group(ann, "Admins")
    coursepath.add_to_group(1, "Admins")
    ok(coursepath_client.delete(f"{API}/members/{ann}/groups"), 204)
    assert coursepath.snapshot().groups == {
        "Sales": frozenset(),
        "Admins": frozenset({"api@acme.example"}),
    }
    ok(coursepath_client.delete(f"{API}/members/{ann}/groups"), 204)
