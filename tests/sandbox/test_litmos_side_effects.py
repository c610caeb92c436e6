"""What Litmos does on its own when written to, as `LitmosSimulator.side_effects()` totals
it by effect: the login email of `POST /users` (only with `sendmessage=true`, whatever the
User's `DisableMessages` says), of a team addition with `sendmessage=true` and of an
import that creates an account with `sendmessage=true`; a course email per course
assigned unless `sendmessage=false`, by `POST /users/{id}/courses` or an import row. Each
test calls the simulator directly, the switch on and off."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.core import ManualClock
from tests.sandbox.test_litmos_users import body

USERS = "/v1.svc/users"
IMPORTS = "/v1.svc/bulkimports"


def _query(sendmessage: str | None) -> dict[str, str]:
    return {} if sendmessage is None else {"sendmessage": sendmessage}


@pytest.mark.parametrize(
    ("sendmessage", "disable_messages", "emails"),
    [
        ("true", False, 1),
        ("true", True, 1),  # no source says DisableMessages stops the login email
        ("false", False, 0),
        ("false", True, 0),
        (None, False, 0),  # spec CreateUser: "By default, no emails will be sent"
    ],
)
def test_a_create_sends_a_login_email_only_with_sendmessage_true(
    litmos: LitmosSimulator,
    litmos_client: httpx.Client,
    sendmessage: str | None,
    disable_messages: bool,
    emails: int,
) -> None:
    created = litmos_client.post(
        USERS, params=_query(sendmessage), json=body(DisableMessages=disable_messages)
    )
    assert created.status_code == 201
    assert litmos.side_effects() == ({"welcome_email": emails} if emails else {})


@pytest.mark.parametrize(("sendmessage", "emails"), [("true", 2), (None, 2), ("false", 0)])
def test_an_assignment_sends_a_course_email_per_course_unless_sendmessage_is_false(
    litmos: LitmosSimulator, litmos_client: httpx.Client, sendmessage: str | None, emails: int
) -> None:
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    courses = {"Course": [{"Id": litmos.seed_course(c, c)} for c in ("SEC-101", "GDPR-201")]}
    url = f"{USERS}/{ann}/courses"
    assert litmos_client.post(url, params=_query(sendmessage), json=courses).status_code == 200
    assert litmos.side_effects() == ({"assignment_email": emails} if emails else {})


@pytest.mark.parametrize(("sendmessage", "emails"), [("true", 1), (None, 0), ("false", 0)])
def test_a_team_addition_sends_a_login_email_only_with_sendmessage_true(
    litmos: LitmosSimulator, litmos_client: httpx.Client, sendmessage: str | None, emails: int
) -> None:
    team = litmos.seed_team("Sales")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    url = f"/v1.svc/teams/{team}/users"
    assert litmos_client.post(url, params=_query(sendmessage), json=[{"Id": ann}]).is_success
    assert litmos.side_effects() == ({"welcome_email": emails} if emails else {})


@pytest.mark.parametrize(
    ("sendmessage", "effects"),
    [
        ("true", {"welcome_email": 1, "assignment_email": 2}),
        (None, {"assignment_email": 2}),  # course emails by default, as an assignment's
        ("false", {}),
    ],
)
def test_an_import_emails_new_accounts_and_their_courses_as_sendmessage_says(
    litmos: LitmosSimulator,
    litmos_client: httpx.Client,
    clock: ManualClock,
    sendmessage: str | None,
    effects: dict[str, int],
) -> None:
    """One row creates an account with a course, another updates an account with a course:
    a login email for the new account only, a course email for each course."""
    course = litmos.seed_course("SEC-101", "Security")
    code = litmos_client.get(f"/v1.svc/courses/{course}").json()["CourseCodeForBulkImport"]
    litmos.seed_user("bob.builder", "Bob", "B", "bob@acme.test")
    rows = [
        {"Username": "ann.archer", "Email": "ann@acme.test", "FirstName": "Ann",
         "LastName": "A", "Course1": code},
        {"Username": "bob.builder", "Email": "bob@acme.test", "FirstName": "Bob",
         "LastName": "B", "Course1": code},
    ]  # fmt: skip
    sent = litmos_client.post(IMPORTS, params=_query(sendmessage), json={"UserImport": rows})
    assert sent.status_code == 200
    clock.advance(1)
    assert litmos.side_effects() == effects
