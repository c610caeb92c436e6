"""Litmos users: creation (201, the spec's required fields and order, its 409/404/400
rules, the login email only on request), the whole-object read, the list, deletion.
`body` and `refusal` serve test_litmos_user_updates.py too."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.litmos import SentMessage, spec, words
from tests.evidence.litmos_cassettes import interactions, response_json
from tests.sandbox.conftest import json_client

USERS = "/v1.svc/users"
SHORT_KEYS = {"Id", "UserName", "FirstName", "LastName", "Active", "Email", "AccessLevel"}
REQUIRED = (
    "Id", "UserName", "LastName", "Email", "AccessLevel", "Active", "DisableMessages",
    "IsCustomUsername", "SkipFirstLogin", "TimeZone",
)  # fmt: skip


def _captured(file: str, method: str) -> Any:
    return next(i for i in interactions() if i.file == file and i.method == method)


def body(**fields: object) -> dict[str, Any]:
    """create-new-user.yml's body with `fields` replaced or added, in the spec's order."""
    base = {**_captured("create-new-user.yml", "POST").request_body, **fields}
    order = {name: n for n, name in enumerate(spec.user_properties())}
    return {k: base[k] for k in sorted(base, key=lambda k: order.get(k, len(order)))}


def _create(client: httpx.Client, **fields: object) -> httpx.Response:
    return client.post(USERS, json=body(**fields))


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["Detail"]


def test_create_answers_201_with_the_captured_keys(litmos_client: httpx.Client) -> None:
    response = _create(litmos_client)
    assert response.status_code == 201
    created = response.json()
    assert list(created) == list(response_json(_captured("create-new-user.yml", "POST")))
    assert len(created["Id"]) == 12
    assert (created["FullName"], created["Culture"]) == ("Charlie Quinn", "en-US")
    assert created["SkipFirstLogin"] is False  # the body's true is not taken (the capture)


def test_create_takes_skipfirstlogin_and_sendmessage_from_the_query(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    quiet = _create(litmos_client).json()
    assert litmos.sent_messages == []  # spec: "By default, no emails will be sent"
    flags = {"skipfirstlogin": "True", "sendmessage": "true"}
    loud = litmos_client.post(USERS, params=flags, json=body(UserName="ada@acme.test")).json()
    assert (quiet["SkipFirstLogin"], loud["SkipFirstLogin"]) == (False, True)
    assert litmos.sent_messages == [SentMessage("login", loud["Id"])]


@pytest.mark.parametrize("missing", REQUIRED)
def test_create_needs_every_required_field_of_the_spec(
    litmos_client: httpx.Client, missing: str
) -> None:
    fields = {k: v for k, v in body().items() if k != missing}
    response = litmos_client.post(USERS, json=fields)
    assert refusal(response) == (400, words.CREATE_USER_BAD_BODY)


def test_first_name_is_not_required(litmos_client: httpx.Client) -> None:
    fields = {k: v for k, v in body().items() if k != "FirstName"}
    created = litmos_client.post(USERS, json=fields)
    assert (created.status_code, created.json()["FullName"]) == (201, "Quinn")


@pytest.mark.parametrize(
    "fields",
    [
        {"Active": "yes"},
        {"Id": "x1"},
        {"LastName": " "},
        {"AccessLevel": "Boss"},
        {"LastLogin": "2016-12-09T07:54:27Z"},
        {"OriginalId": "5091912"},
        {"CreatedDate": "2016-12-20T15:24:16Z"},
        {"ExpirationDate": "tomorrow"},
        {"ProfileType": "guest"},
    ],
)
def test_a_body_the_spec_refuses_is_400(
    litmos_client: httpx.Client, fields: dict[str, object]
) -> None:
    assert refusal(_create(litmos_client, **fields)) == (400, words.CREATE_USER_BAD_BODY)


def test_the_fields_must_keep_the_spec_order(litmos_client: httpx.Client) -> None:
    fields = body()
    swapped = {"UserName": fields.pop("UserName"), **fields}  # before Id
    response = litmos_client.post(USERS, json=swapped)
    assert refusal(response) == (400, words.CREATE_USER_BAD_BODY)


def test_a_bare_array_is_400(litmos_client: httpx.Client) -> None:
    response = litmos_client.post(USERS, json=[body()])
    assert refusal(response) == (400, words.CREATE_USER_BAD_BODY)


def test_profile_type_and_spec_only_fields_are_kept(litmos_client: httpx.Client) -> None:
    created = _create(litmos_client, ProfileType="Internal", Brand="Default", Website="w").json()
    assert (created["ProfileType"], created["Brand"], created["Website"]) == (
        "Internal",
        "Default",
        "w",
    )
    assert "JobRole" not in created  # shown only when it holds a value


@pytest.mark.parametrize(
    ("fields", "status", "detail"),
    [
        ({"UserName": "abc"}, 409, words.SHORT_USERNAME),
        ({"UserName": "ann smith"}, 409, words.BAD_USERNAME),
        ({"UserName": "ann<b>"}, 409, words.BAD_USERNAME),
        ({"Email": "not-an-address"}, 409, words.CREATE_BAD_EMAIL),
        ({"Culture": "english"}, 409, words.BAD_CULTURE),
        ({"JobRole": "Baker"}, 409, words.BAD_JOB_ROLE),
        ({"ManagerId": "nobody"}, 404, words.BAD_MANAGER),
        ({"EnableTextNotification": True}, 400, words.MOBILE_REQUIRED),
        ({"PhoneMobile": "925-251-0000"}, 400, words.BAD_MOBILE),
    ],
)
def test_the_worded_rules_of_post_users(
    litmos: LitmosSimulator,
    litmos_client: httpx.Client,
    fields: dict[str, object],
    status: int,
    detail: str,
) -> None:
    assert refusal(_create(litmos_client, **fields)) == (status, detail)
    assert litmos.snapshot().users == ()


def test_what_the_worded_rules_admit() -> None:
    sim = LitmosSimulator(job_roles=("Baker",))
    manager = sim.seed_user("boss.user", "Boss", "User", "boss@acme.test")
    with json_client(sim) as client:
        created = _create(
            client,
            UserName="abcd",
            Culture="fr-FR",
            PhoneMobile="+15554443333",
            EnableTextNotification=True,
            ManagerId=manager,
            JobRole="Baker",
        )
    assert created.status_code == 201, created.text
    shown = created.json()
    assert (shown["Culture"], shown["ManagerId"], shown["ManagerName"]) == (
        "fr-FR",
        manager,
        "boss.user",
    )


def test_a_duplicate_username_is_409_with_the_captured_body(litmos_client: httpx.Client) -> None:
    _create(litmos_client)
    again = _create(litmos_client, UserName="CHARLIE.QUINN123@pieshop.net")
    assert again.status_code == 409
    assert again.json() == response_json(_captured("create-user-already-exists.yml", "POST"))


def test_get_user_and_404_on_unknown_id(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    assert litmos_client.get(f"{USERS}/{user_id}").json() == litmos.user_record(user_id)
    assert refusal(litmos_client.get(f"{USERS}/doesnotexist")) == (404, words.NO_USER)


def test_delete_answers_200_empty_then_404(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    user_id = litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test")
    response = litmos_client.delete(f"{USERS}/{user_id}")
    assert (response.status_code, response.content) == (200, b"")
    assert litmos_client.get(f"{USERS}/{user_id}").status_code == 404
    gone = litmos_client.delete(f"{USERS}/{user_id}")
    assert refusal(gone) == (404, words.NO_USER_TO_DELETE)


def test_deleting_a_manager_clears_the_manager_id(litmos: LitmosSimulator) -> None:
    boss = litmos.seed_user("boss.user", "Boss", "User", "boss@acme.test")
    ann = litmos.seed_user("ann.archer", "Ann", "A", "ann@acme.test", ManagerId=boss)
    assert litmos.user_record(ann)["ManagerName"] == "boss.user"
    with json_client(litmos) as client:
        client.delete(f"{USERS}/{boss}")
    assert "ManagerId" not in litmos.user_record(ann)


def test_list_items_are_the_short_user_shape(
    litmos: LitmosSimulator, litmos_client: httpx.Client
) -> None:
    litmos.seed_user("bob.builder", "Bob", "Builder", "bob@acme.test", active=False)
    (item,) = litmos_client.get(USERS).json()
    assert set(item) == SHORT_KEYS
    assert item["Active"] is False
