"""Litmos user updates: PUT replaces the whole user (an omitted writable field returns to
its default), the body's Id must match the URL, deactivation is a PUT; and the
out-of-band helpers `edit_user` / `user_record`, seeding with ids, dump and load."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.litmos import words
from tests.sandbox.test_litmos_users import REQUIRED, USERS, body, refusal


def _put(client: httpx.Client, user_id: str, **fields: object) -> httpx.Response:
    return client.put(f"{USERS}/{user_id}", json=body(Id=user_id, **fields))


def test_put_answers_200_with_an_empty_body(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    response = _put(litmos_client, user_id, UserName="bob.builder", LastName="Baker")
    assert (response.status_code, response.content) == (200, b"")
    assert litmos.user_record(user_id)["LastName"] == "Baker"


def test_put_replaces_the_whole_user(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    edits = {"TimeZone": "Europe/Berlin", "CustomField3": "CC-7", "JobTitle": "Baker"}
    litmos.edit_user(user_id, AccessLevel="Team_Leader", Brand="Default", **edits)
    kept = _put(litmos_client, user_id, UserName="bob.builder", CustomField3="CC-7")
    assert kept.status_code == 200
    record = litmos.user_record(user_id)
    assert (record["CustomField3"], record["AccessLevel"], record["TimeZone"]) == (
        "CC-7",
        "Learner",  # the body's
        "UTC",
    )
    assert (record["JobTitle"], "Brand" in record) == ("", False)  # sent "", omitted: reset
    _put(litmos_client, user_id, UserName="bob.builder")  # the captures omit CustomField3
    assert litmos.user_record(user_id)["CustomField3"] == ""


def test_put_needs_the_body_id_to_match_the_url(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    response = litmos_client.put(f"{USERS}/{user_id}", json=body(Id="someone-else"))
    assert refusal(response) == (404, words.IDS_DIFFER)
    response = litmos_client.put(f"{USERS}/{user_id}", json=body(Id=""))
    assert refusal(response) == (404, words.IDS_DIFFER)
    assert refusal(_put(litmos_client, "nobody")) == (404, words.NO_USER)


@pytest.mark.parametrize("missing", REQUIRED)
def test_put_needs_every_required_field(
    litmos: LitmosSimulator, litmos_client: httpx.Client, missing: str
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    fields = {k: v for k, v in body(Id=user_id).items() if k != missing}
    response = litmos_client.put(f"{USERS}/{user_id}", json=fields)
    assert refusal(response) == (400, words.UPDATE_USER_BAD_BODY)


def test_put_has_its_own_words_and_the_worded_rules(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test")
    bob = litmos.seed_user("bob.builder", "Bob", "B", "bob@acme.test")
    assert refusal(_put(litmos_client, bob, UserName="ANN.archer")) == (
        409,
        words.CAPTURED_USERNAME_TAKEN,
    )
    assert refusal(_put(litmos_client, bob, Email="x")) == (409, words.UPDATE_BAD_EMAIL)
    assert refusal(_put(litmos_client, bob, UserName="bob")) == (409, words.SHORT_USERNAME)
    assert refusal(_put(litmos_client, bob, ManagerId=bob)) == (404, words.BAD_MANAGER)
    assert refusal(_put(litmos_client, bob, Active="no")) == (400, words.UPDATE_USER_BAD_BODY)


def test_deactivation_is_a_put_with_active_false(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    deactivated = _put(litmos_client, user_id, UserName="bob.builder", Active=False)
    assert deactivated.status_code == 200
    listed = litmos_client.get(USERS, params={"search": "bob"}).json()
    assert listed[0]["Active"] is False
    assert litmos.snapshot().users[0][4] is False


def test_edit_user_checks_names_and_kinds(litmos: LitmosSimulator) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    with pytest.raises(ValueError, match="writable"):
        litmos.edit_user(user_id, Shoe="42")
    with pytest.raises(ValueError, match="cannot hold"):
        litmos.edit_user(user_id, Active="yes")
    with pytest.raises(ValueError, match="cannot hold"):
        litmos.edit_user(user_id, Points=True)
    litmos.edit_user(user_id, Points=7, SalesforceId=None, ExternalEmployeeId="E-1")
    record = litmos.user_record(user_id)
    assert (record["Points"], record["ExternalEmployeeId"]) == (7, "E-1")


def test_seeding_with_an_id_in_use_is_refused(litmos: LitmosSimulator) -> None:
    litmos.seed_user("bob.builder", "Bob", "B", "bob@acme.test", user_id="rnjx2WaQOEY1")
    with pytest.raises(ValueError, match="in use"):
        litmos.seed_course("C1", "One", course_id="rnjx2WaQOEY1")


def test_dump_and_load_round_trip(litmos: LitmosSimulator) -> None:
    bob = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test", CustomField3="CC")
    team = litmos.seed_team("Sales")
    litmos.seed_team("Sales EMEA", parent_id=team)
    course = litmos.seed_course("SEC-101", "Security")
    litmos.add_team_member(team, bob)
    litmos.complete_course(bob, course, score=88.0)
    other = LitmosSimulator()
    other.load_state(litmos.dump_state())
    assert other.snapshot() == litmos.snapshot()
    assert other.user_record(bob) == litmos.user_record(bob)
    assert other.seed_user("new.user", "N", "U", "n@acme.test") not in litmos.state.users


def test_a_dump_from_before_whole_profiles_loads(litmos: LitmosSimulator) -> None:
    old_user = {
        "id": "abcdefghijk1", "username": "old.user", "first": "Old", "last": "User",
        "email": "old@acme.test", "active": False, "access_level": "Learner",
        "original_id": 5000001, "created_at": 1.0,
    }  # fmt: skip
    dump = {**litmos.dump_state(), "users": [old_user], "counter": 1}
    litmos.load_state(dump)
    record = litmos.user_record("abcdefghijk1")
    assert (record["UserName"], record["Active"], record["TimeZone"]) == ("old.user", False, "UTC")
