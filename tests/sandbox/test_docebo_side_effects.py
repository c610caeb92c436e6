"""What Docebo does on its own when written to, as `DoceboSimulator.side_effects()` totals
it: the notification email a user batch row sends the user it creates, unless
`options.send_notification_email` is false (no source gives the option's default: the
strictest reading emails). Rows that update, refused rows and other writes email nobody.
Each test calls the simulator directly, the switch on and off."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import DoceboSimulator
from tests.sandbox.test_docebo_bulk_rules import BATCH, ENROLLMENTS, new, rows


@pytest.mark.parametrize(("switch", "emails"), [(True, 2), (None, 2), (False, 0)])
def test_a_user_batch_emails_each_user_it_creates_unless_told_not_to(
    client: httpx.Client, sim: DoceboSimulator, switch: bool | None, emails: int
) -> None:
    options = {} if switch is None else {"send_notification_email": switch}
    answer = rows(client, [new("ann"), new("bob")], **options)
    assert [row["success"] for row in answer] == [True, True]
    assert sim.side_effects() == ({"welcome_email": emails} if emails else {})


def test_rows_that_update_or_fail_email_nobody(client: httpx.Client, sim: DoceboSimulator) -> None:
    ann = sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    sim.seed_user("bob", "bob@acme.com", "Bob", "Roe")
    items = [{"user_id": ann, "active": False}, new("bob"), new("cy", email="not-an-email")]
    answer = rows(client, items, update_user_info=True, send_notification_email=True)
    assert [row["success"] for row in answer] == [True, True, False]
    assert sim.side_effects() == {}


def test_send_notification_email_must_be_a_boolean(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    body = {"items": [new("ann")], "options": {"send_notification_email": "no"}}
    answer = client.post(BATCH, json=body)
    assert answer.status_code == 400
    assert sim.snapshot().users == {}


def test_an_enrollment_emails_nobody(client: httpx.Client, sim: DoceboSimulator) -> None:
    """No source says Docebo emails a learner enrolled through the API."""
    ann = sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    course = sim.seed_course("SEC-101", "Security")
    answer = client.post(ENROLLMENTS, json={"course_ids": [course], "user_ids": [ann]})
    assert answer.status_code == 200, answer.text
    assert sim.side_effects() == {}


def test_the_emails_sent_survive_a_dump_and_load(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    rows(client, [new("ann")])
    copy = DoceboSimulator()
    copy.load_state(sim.dump_state())
    assert copy.side_effects() == {"welcome_email": 1}
