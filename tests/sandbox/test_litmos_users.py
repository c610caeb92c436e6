"""Litmos users: create (201/409), read (404), full update and deactivation, delete."""

from __future__ import annotations

import httpx
import pytest

from syncd.sandbox import LitmosSimulator

USERS = "/v1.svc/users"
SHORT_KEYS = {"Id", "UserName", "FirstName", "LastName", "Active", "Email", "AccessLevel"}
NEW_USER = {
    "Id": "",
    "UserName": "ada@acme.test",
    "FirstName": "Ada",
    "LastName": "Lovelace",
    "Email": "ada@acme.test",
    "AccessLevel": "Learner",
    "Active": True,
}


def test_create_answers_201_with_the_full_user(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    response = litmos_client.post(USERS, json=NEW_USER)
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["Id"], str)
    assert len(body["Id"]) == 12
    assert body["UserName"] == "ada@acme.test"
    assert body["FullName"] == "Ada Lovelace"
    assert body["Active"] is True
    assert litmos.snapshot().users == (("ada@acme.test", "Ada", "Lovelace", "ada@acme.test", True),)


def test_a_duplicate_username_is_409_with_detail(litmos_client: httpx.Client) -> None:
    litmos_client.post(USERS, json=NEW_USER)
    again = litmos_client.post(USERS, json={**NEW_USER, "UserName": "ADA@acme.test"})
    assert again.status_code == 409
    assert again.json() == {"Detail": "UserName already exists"}


@pytest.mark.parametrize("missing", ["UserName", "FirstName", "LastName", "Email"])
def test_create_needs_the_name_fields(litmos_client: httpx.Client, missing: str) -> None:
    body = {k: v for k, v in NEW_USER.items() if k != missing}
    assert litmos_client.post(USERS, json=body).status_code == 400


def test_create_needs_a_json_object(litmos_client: httpx.Client) -> None:
    assert litmos_client.post(USERS, json=[NEW_USER]).status_code == 400


def test_get_user_and_404_on_unknown_id(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test")
    assert litmos_client.get(f"{USERS}/{user_id}").json()["Email"] == "bob@acme.test"
    missing = litmos_client.get(f"{USERS}/doesnotexist")
    assert missing.status_code == 404
    assert "Detail" in missing.json()


def test_put_answers_200_with_an_empty_body(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test")
    full = litmos_client.get(f"{USERS}/{user_id}").json()
    response = litmos_client.put(f"{USERS}/{user_id}", json={**full, "LastName": "Baker"})
    assert response.status_code == 200
    assert response.content == b""
    assert litmos_client.get(f"{USERS}/{user_id}").json()["LastName"] == "Baker"


def test_deactivation_is_a_put_with_active_false(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test")
    full = litmos_client.get(f"{USERS}/{user_id}").json()
    deactivated = litmos_client.put(f"{USERS}/{user_id}", json={**full, "Active": False})
    assert deactivated.status_code == 200
    listed = litmos_client.get(USERS, params={"search": "bob"}).json()
    assert listed[0]["Active"] is False
    assert litmos.snapshot().users[0][4] is False


def test_put_to_a_taken_username_is_409_and_unknown_id_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_user("ann", "Ann", "A", "ann@acme.test")
    bob = litmos.seed_user("bob", "Bob", "B", "bob@acme.test")
    assert litmos_client.put(f"{USERS}/{bob}", json={"UserName": "ann"}).status_code == 409
    assert litmos_client.put(f"{USERS}/nobody", json={"Active": False}).status_code == 404
    assert litmos_client.put(f"{USERS}/{bob}", json={"Active": "no"}).status_code == 400


def test_delete_answers_200_empty_then_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test")
    response = litmos_client.delete(f"{USERS}/{user_id}")
    assert response.status_code == 200
    assert response.content == b""
    assert litmos_client.get(f"{USERS}/{user_id}").status_code == 404
    assert litmos_client.delete(f"{USERS}/{user_id}").status_code == 404


def test_list_items_are_the_short_user_shape(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test", active=False)
    (item,) = litmos_client.get(USERS).json()
    assert set(item) == SHORT_KEYS
    assert item["Active"] is False


def test_dump_and_load_round_trip(litmos: LitmosSimulator) -> None:
    bob = litmos.seed_user("bob", "Bob", "Builder", "bob@acme.test")
    team = litmos.seed_team("Sales")
    litmos.seed_team("Sales EMEA", parent_id=team)
    course = litmos.seed_course("SEC-101", "Security")
    litmos.add_team_member(team, bob)
    litmos.complete_course(bob, course, score=88.0)
    other = LitmosSimulator()
    other.load_state(litmos.dump_state())
    assert other.snapshot() == litmos.snapshot()
    assert other.seed_user("new", "N", "U", "n@acme.test") not in litmos.state.users
