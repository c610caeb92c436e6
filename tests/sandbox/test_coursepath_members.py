"""The member rules of docs/lms/coursepath.md against the Coursepath simulator: the
member shape, `me`, create (email only required, derived names, 409), update by
POST, `active`, the eight filters, and offset/limit paging with its defaults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import CoursepathSimulator

MEMBERS = "/api/v1/members"
PROFILE = {
    "company": "Acme",
    "department": "Sales",
    "country": "BE",
    "externalId": "E-1",
    "association": "Union",
    "identification": "ID-7",
    "registration": "R-9",
}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def message(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message"}
    return str(response.json()["message"])


def test_a_member_has_the_decided_shape(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    member_id = coursepath.seed_member("ann@acme.example", "Ann Lee", **PROFILE)
    item = ok(coursepath_client.get(f"{MEMBERS}/{member_id}"))
    assert item == {
        "id": member_id,
        "email": "ann@acme.example",
        "name": "Ann Lee",
        **PROFILE,
        "active": True,
    }
    bare = ok(coursepath_client.get(f"{MEMBERS}/1"))
    assert all(bare[name] is None for name in PROFILE)


def test_me_is_the_member_the_token_names(coursepath_client: httpx.Client) -> None:
    me = ok(coursepath_client.get(f"{MEMBERS}/me"))
    assert (me["id"], me["email"]) == (1, "api@acme.example")


def test_an_unknown_or_malformed_member_id(coursepath_client: httpx.Client) -> None:
    assert "not found" in message(coursepath_client.get(f"{MEMBERS}/99"), 404)
    assert "integer" in message(coursepath_client.get(f"{MEMBERS}/abc"), 400)


# -- create --------------------------------------------------------------------------


def test_create_needs_only_an_email_and_derives_the_name(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    created = ok(coursepath_client.post(MEMBERS, json={"email": "john.smith@example.com"}), 201)
    assert (created["name"], created["active"], created["company"]) == ("John Smith", True, None)
    assert coursepath.snapshot().members["john.smith@example.com"] == ("John Smith", True, ())


def test_create_takes_every_field_as_json_or_form(coursepath_client: httpx.Client) -> None:
    body = {"email": "ann@acme.example", "name": "Ann", **PROFILE}
    created = ok(coursepath_client.post(MEMBERS, json=body), 201)
    assert {key: created[key] for key in body} == body
    form = ok(
        coursepath_client.post(MEMBERS, data={"email": "bob@acme.example", "active": "false"}), 201
    )
    assert (form["name"], form["active"]) == ("Bob", False)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "'email' is required"),
        ({"name": "Ann"}, "'email' is required"),
        ({"email": "not-an-email"}, "email address"),
        ({"email": "a@b.example", "name": ""}, "'name'"),
        ({"email": "a@b.example", "company": 5}, "'company'"),
        ({"email": "a@b.example", "active": "maybe"}, "'active'"),
        ({"email": "a@b.example", "password": "x"}, "Unknown member fields: password"),
    ],
)
def test_create_refuses_a_bad_body_with_400(
    coursepath_client: httpx.Client, body: dict[str, object], words: str
) -> None:
    assert words in message(coursepath_client.post(MEMBERS, json=body), 400)


def test_a_body_that_is_not_an_object_is_400(coursepath_client: httpx.Client) -> None:
    message(coursepath_client.post(MEMBERS, json=["ann@acme.example"]), 400)
    assert "JSON" in message(
        coursepath_client.post(MEMBERS, content=b"{", headers={"Content-Type": "application/json"}),
        400,
    )


def test_an_email_in_use_is_409_ignoring_case(coursepath_client: httpx.Client) -> None:
    assert "already exists" in message(
        coursepath_client.post(MEMBERS, json={"email": "API@acme.example"}), 409
    )


# -- update ---------------------------------------------------------------------------


def test_post_to_a_member_updates_only_what_it_names(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    member_id = coursepath.seed_member("ann@acme.example", "Ann", company="Acme", country="BE")
    body = {"name": "Ann Lee", "department": "Sales", "country": None}
    updated = ok(coursepath_client.post(f"{MEMBERS}/{member_id}", json=body))
    assert (updated["name"], updated["company"], updated["department"], updated["country"]) == (
        "Ann Lee",
        "Acme",
        "Sales",
        None,
    )


def test_an_update_may_change_the_email_but_not_to_one_in_use(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    member_id = coursepath.seed_member("ann@acme.example")
    path = f"{MEMBERS}/{member_id}"
    message(coursepath_client.post(path, json={"email": "api@acme.example"}), 409)
    assert (
        ok(coursepath_client.post(path, json={"email": "ANN@acme.example"}))["email"]
        == "ANN@acme.example"
    )


def test_an_empty_update_changes_nothing(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    before = coursepath.snapshot()
    ok(coursepath_client.post(f"{MEMBERS}/1"))
    ok(coursepath_client.post(f"{MEMBERS}/1", json={}))
    assert coursepath.snapshot() == before


def test_active_false_deactivates_and_true_reactivates(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    member_id = coursepath.seed_member("ann@acme.example")
    assert (
        ok(coursepath_client.post(f"{MEMBERS}/{member_id}", json={"active": False}))["active"]
        is False
    )
    assert coursepath.snapshot().members["ann@acme.example"][1] is False
    assert (
        ok(coursepath_client.post(f"{MEMBERS}/{member_id}", data={"active": "1"}))["active"] is True
    )


def test_update_of_an_unknown_member_is_404(coursepath_client: httpx.Client) -> None:
    message(coursepath_client.post(f"{MEMBERS}/42", json={"name": "X"}), 404)


# -- filters -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILE))
def test_each_profile_filter_matches_exactly(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client, name: str
) -> None:
    ann = coursepath.seed_member("ann@acme.example", **{name: "x"})
    coursepath.seed_member("bob@acme.example", **{name: "X"})
    found = ok(coursepath_client.get(MEMBERS, params={name: "x"}))
    assert [item["id"] for item in found] == [ann]


def test_the_email_filter_ignores_case(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    ann = coursepath.seed_member("ann@acme.example")
    assert [
        m["id"] for m in ok(coursepath_client.get(MEMBERS, params={"email": "ANN@acme.example"}))
    ] == [ann]
    assert ok(coursepath_client.get(MEMBERS, params={"email": "nobody@acme.example"})) == []


def test_filters_combine_with_and(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    coursepath.seed_member("ann@acme.example", company="Acme", country="BE")
    bob = coursepath.seed_member("bob@acme.example", company="Acme", country="NL")
    found = ok(coursepath_client.get(MEMBERS, params={"company": "Acme", "country": "NL"}))
    assert [m["id"] for m in found] == [bob]


def test_an_unknown_query_parameter_is_400(coursepath_client: httpx.Client) -> None:
    assert "externalid" in message(
        coursepath_client.get(MEMBERS, params={"externalid": "E-1"}), 400
    )


# -- paging --------------------------------------------------------------------------


def test_member_lists_hold_250_by_default_in_id_order(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    for n in range(260):
        coursepath.seed_member(f"m{n}@acme.example")
    first = ok(coursepath_client.get(MEMBERS))
    rest = ok(coursepath_client.get(MEMBERS, params={"offset": 250}))
    assert (len(first), len(rest)) == (250, 11)
    assert [m["id"] for m in first + rest] == list(range(1, 262))


def test_offset_and_limit_slice_the_list(
    coursepath: CoursepathSimulator, coursepath_client: httpx.Client
) -> None:
    for n in range(4):
        coursepath.seed_member(f"m{n}@acme.example")
    page = ok(coursepath_client.get(MEMBERS, params={"offset": 1, "limit": 2}))
    assert [m["id"] for m in page] == [2, 3]
    assert ok(coursepath_client.get(MEMBERS, params={"offset": 99})) == []


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"offset": -1}, {"offset": "x"}],
)
def test_limit_and_offset_out_of_range_are_400(
    coursepath_client: httpx.Client, params: dict[str, object]
) -> None:
    message(coursepath_client.get(MEMBERS, params=params), 400)


def test_the_largest_limit_is_1000(coursepath_client: httpx.Client) -> None:
    assert len(ok(coursepath_client.get(MEMBERS, params={"limit": 1000}))) == 1
