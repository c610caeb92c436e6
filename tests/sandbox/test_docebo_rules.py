"""Every rule of docs/lms/docebo.md, pinned against the Docebo simulator
called in-process through httpx, in both API eras; the rules of the 2017
shapes only in the 2017 era (`only_2017`); the modern ones in test_docebo_eras.py."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.sandbox import DoceboSimulator
from syncd.sandbox.core import ManualClock
from syncd.sandbox.docebo.records import API_ERAS, ApiEra

Json = dict[str, Any]
only_2017 = pytest.mark.parametrize("era", ["2017"])

USERS = "/manage/v1/user"
BATCH = "/manage/v1/user/batch"
ORGCHART = "/manage/v1/orgchart"
GROUPS = "/manage/v1/group"
COURSES = "/learn/v1/courses"
ENROLLMENTS = "/learn/v1/enrollments"


@pytest.fixture(params=API_ERAS)
def era(request: pytest.FixtureRequest) -> ApiEra:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def sim(clock: ManualClock, era: ApiEra) -> DoceboSimulator:
    return DoceboSimulator(clock=clock, api_era=era)


def items(response: httpx.Response) -> list[Json]:
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["items"])


def seed_users(sim: DoceboSimulator, n: int) -> list[int]:
    return [sim.seed_user(f"user{i:03}", f"user{i:03}@example.com", "F", f"L{i}") for i in range(n)]


def assert_error(response: httpx.Response, status: int) -> Json:
    """The Docebo error body: {"name", "message", "code"}."""
    assert response.status_code == status, response.text
    body: Json = response.json()
    assert set(body) == {"name", "message", "code"}
    assert body["code"] == status
    return body


def send(client: httpx.Client, method: str, path: str, body: object) -> httpx.Response:
    return client.request(method, path, json=body)


# -- authentication ------------------------------------------------------------


def test_token_from_a_form_body(anon: httpx.Client, password_grant: dict[str, str]) -> None:
    body = anon.post("/oauth2/token", data=password_grant).json()
    assert body["expires_in"] == 3600
    assert (body["token_type"], body["scope"]) == ("Bearer", "api")
    assert body["access_token"]
    assert body["refresh_token"]


def test_token_from_a_json_body(anon: httpx.Client, password_grant: dict[str, str]) -> None:
    response = anon.post("/oauth2/token", json=password_grant)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600


def test_wrong_password_is_400_invalid_grant(
    anon: httpx.Client, password_grant: dict[str, str]
) -> None:
    response = anon.post("/oauth2/token", data={**password_grant, "password": "nope"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_401_invalid_client(
    anon: httpx.Client, password_grant: dict[str, str]
) -> None:
    response = anon.post("/oauth2/token", data={**password_grant, "client_secret": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"scope": "admin"}, "invalid_scope"),
    ],
)
def test_bad_token_requests_are_400(
    anon: httpx.Client, password_grant: dict[str, str], change: dict[str, str], error: str
) -> None:
    response = anon.post("/oauth2/token", data={**password_grant, **change})
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_refresh_token_grant_issues_a_new_token_once(
    anon: httpx.Client, password_grant: dict[str, str]
) -> None:
    refresh = anon.post("/oauth2/token", data=password_grant).json()["refresh_token"]
    grant = {**password_grant, "grant_type": "refresh_token", "refresh_token": refresh}
    assert anon.post("/oauth2/token", data=grant).status_code == 200
    assert anon.post("/oauth2/token", data=grant).json()["error"] == "invalid_grant"


def test_token_body_must_be_a_form_or_an_object(anon: httpx.Client) -> None:
    response = anon.post("/oauth2/token", json=["grant_type"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_token_endpoint_only_takes_post(anon: httpx.Client) -> None:
    assert_error(anon.get("/oauth2/token"), 405)


def test_missing_bearer_is_401_invalid_token(anon: httpx.Client) -> None:
    response = anon.get(USERS)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer", "token"])
def test_invalid_bearer_is_401(anon: httpx.Client, header: str) -> None:
    response = anon.get(USERS, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_token_lives_3600_seconds_on_the_injected_clock(
    client: httpx.Client, clock: ManualClock
) -> None:
    clock.advance(3599)
    assert client.get(USERS).status_code == 200
    clock.advance(1)
    response = client.get(USERS)
    assert response.status_code == 401
    assert "expired" in response.json()["error_description"]


def test_every_endpoint_needs_a_token(anon: httpx.Client) -> None:
    assert anon.post(BATCH, json={"items": []}).status_code == 401
    assert anon.delete(f"{ORGCHART}/1").status_code == 401
    assert anon.get(ENROLLMENTS).status_code == 401


def test_token_calls_are_not_writes(anon: httpx.Client, sim: DoceboSimulator, token: str) -> None:
    assert token
    assert sim.writes == []
    assert [r.path for r in sim.requests] == ["/oauth2/token"]


# -- conventions ---------------------------------------------------------------


def test_responses_carry_the_api_version_header(client: httpx.Client) -> None:
    assert client.get(USERS).headers["x-docebo-api-version"] == "1.0.0"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", USERS),
        ("DELETE", USERS),
        ("GET", BATCH),
        ("PUT", ORGCHART),
        ("GET", f"{ORGCHART}/assign_users"),
        ("GET", f"{ORGCHART}/batch"),
        ("POST", f"{ORGCHART}/1"),
        ("GET", f"{ORGCHART}/1/move"),
        ("GET", f"{GROUPS}/1"),
        ("PUT", ENROLLMENTS),
        ("POST", COURSES),
    ],
)
def test_a_wrong_verb_is_405(client: httpx.Client, method: str, path: str) -> None:
    body = assert_error(client.request(method, path), 405)
    assert body["name"] == "Method Not Allowed"


def test_an_unknown_path_is_404(client: httpx.Client) -> None:
    assert assert_error(client.get("/manage/v1/nothing"), 404)["name"] == "Not Found"


def test_a_body_that_is_not_json_is_400(client: httpx.Client) -> None:
    response = client.post(GROUPS, content=b"{", headers={"Content-Type": "application/json"})
    assert_error(response, 400)


def test_a_body_that_is_not_an_object_is_400(client: httpx.Client) -> None:
    assert_error(client.post(GROUPS, json=["name"]), 400)


# -- paging --------------------------------------------------------------------


def test_default_page_is_1_and_default_page_size_is_10(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    seed_users(sim, 25)
    data = client.get(USERS).json()["data"]
    assert (data["count"], data["current_page"], data["current_page_size"]) == (10, 1, 10)
    assert (data["total_count"], data["total_page_count"], data["has_more_data"]) == (25, 3, True)


def test_list_envelope_has_version(client: httpx.Client) -> None:
    body = client.get(USERS).json()
    assert body["version"] == "1.0.0"
    assert "_links" not in body


def test_last_page_has_no_more_data(client: httpx.Client, sim: DoceboSimulator) -> None:
    seed_users(sim, 25)
    data = client.get(USERS, params={"page": 3}).json()["data"]
    assert (data["count"], data["has_more_data"]) == (5, False)


def test_a_page_past_the_end_is_empty(client: httpx.Client, sim: DoceboSimulator) -> None:
    seed_users(sim, 3)
    data = client.get(USERS, params={"page": 9}).json()["data"]
    assert (data["items"], data["has_more_data"], data["total_count"]) == ([], False, 3)


@pytest.mark.parametrize("size", [1, 200])
def test_page_size_bounds_are_accepted(
    client: httpx.Client, sim: DoceboSimulator, size: int
) -> None:
    seed_users(sim, 3)
    data = client.get(USERS, params={"page_size": size}).json()["data"]
    assert data["current_page_size"] == size
    assert data["count"] == min(size, 3)


@pytest.mark.parametrize("size", ["0", "201", "-1", "1000"])
def test_page_size_outside_1_to_200_is_ignored_for_the_default(
    client: httpx.Client, sim: DoceboSimulator, size: str
) -> None:
    """The seed: values outside 1..200 "will not be considered valid"; a real tenant
    answers ingestr's page_size=1000 (lms-apis.md 1.2), so the default applies."""
    seed_users(sim, 12)
    data = client.get(USERS, params={"page_size": size}).json()["data"]
    assert (data["current_page_size"], data["count"], data["total_page_count"]) == (10, 10, 2)


@pytest.mark.parametrize("size", ["abc", "1.5", ""])
def test_page_size_not_an_integer_is_400(client: httpx.Client, size: str) -> None:
    assert_error(client.get(USERS, params={"page_size": size}), 400)


@pytest.mark.parametrize("page", ["0", "-1", "x"])
def test_page_below_1_or_not_an_integer_is_400(client: httpx.Client, page: str) -> None:
    assert_error(client.get(USERS, params={"page": page}), 400)


@pytest.mark.parametrize(
    "path", [USERS, ORGCHART, GROUPS, COURSES, ENROLLMENTS, f"{ORGCHART}/1/users"]
)
def test_every_list_checks_page_size(client: httpx.Client, sim: DoceboSimulator, path: str) -> None:
    sim.seed_branch("B1", "Branch")
    assert client.get(path, params={"page_size": 201}).json()["data"]["current_page_size"] == 10
    assert client.get(path, params={"page_size": 200}).json()["data"]["current_page_size"] == 200
    assert_error(client.get(path, params={"page_size": "x"}), 400)


def test_default_page_size_is_a_knob(clock: ManualClock) -> None:
    sim = DoceboSimulator(clock=clock, default_page_size=2)
    seed_users(sim, 5)
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    with httpx.Client(transport=sim.transport(), base_url="https://d.test", headers=headers) as c:
        assert c.get(USERS).json()["data"]["total_page_count"] == 3


def test_default_page_size_must_be_valid() -> None:
    with pytest.raises(ValueError, match=r"1\.\.200"):
        DoceboSimulator(default_page_size=201)


# -- get_cursor links ----------------------------------------------------------


def test_get_cursor_adds_links(client: httpx.Client, sim: DoceboSimulator) -> None:
    seed_users(sim, 25)
    body = client.get(USERS, params={"get_cursor": 1}).json()
    links = body["_links"]
    assert set(links) == {"self", "next", "goto", "first", "last"}
    cursor = body["data"]["cursor"]
    base = f"https://sandbox.docebo.test{USERS}?cursor={cursor}&page="
    assert links["self"]["href"] == f"{base}1"
    assert links["next"]["href"] == f"{base}2"
    assert links["goto"]["href"] == f"{base}__page__"
    assert (links["first"]["href"], links["last"]["href"]) == (f"{base}1", f"{base}3")


def test_last_page_has_no_next_link(client: httpx.Client, sim: DoceboSimulator) -> None:
    seed_users(sim, 5)
    links = client.get(USERS, params={"get_cursor": 1}).json()["_links"]
    assert "next" not in links


def test_following_next_links_walks_every_item_once(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ids = seed_users(sim, 23)
    seen: list[str] = []
    response = client.get(USERS, params={"get_cursor": 1, "page_size": 5, "sort_dir": "asc"})
    while True:
        seen += [item["user_id"] for item in items(response)]
        next_link = response.json()["_links"].get("next")
        if next_link is None:
            break
        response = client.get(next_link["href"])
    assert seen == [str(i) for i in ids]


def test_a_cursor_keeps_the_filters_of_its_query(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    parent = sim.seed_branch("P", "Parent")
    for n in range(3):
        sim.seed_branch(f"C{n}", f"Child {n}", parent_code="P")
    sim.seed_branch("OTHER", "Other")
    query = {"node_id": parent, "page_size": 2, "get_cursor": 1}
    first = client.get(ORGCHART, params=query).json()
    second = client.get(first["_links"]["next"]["href"])
    assert [i["code"] for i in items(second)] == ["C0"]


def test_an_unknown_cursor_is_400(client: httpx.Client) -> None:
    assert_error(client.get(USERS, params={"cursor": "nope", "page": 2}), 400)


def test_a_cursor_is_bound_to_its_path(client: httpx.Client) -> None:
    cursor = client.get(USERS, params={"get_cursor": 1}).json()["data"]["cursor"]
    assert_error(client.get(GROUPS, params={"cursor": cursor}), 400)


def test_get_cursor_must_be_a_flag(client: httpx.Client) -> None:
    assert_error(client.get(USERS, params={"get_cursor": "yes"}), 400)


# -- sorting -------------------------------------------------------------------


def test_sort_defaults_to_descending_by_user_id(client: httpx.Client, sim: DoceboSimulator) -> None:
    ids = seed_users(sim, 3)
    assert [i["user_id"] for i in items(client.get(USERS))] == [str(i) for i in reversed(ids)]


def test_sort_dir_asc(client: httpx.Client, sim: DoceboSimulator) -> None:
    ids = seed_users(sim, 3)
    got = items(client.get(USERS, params={"sort_dir": "asc"}))
    assert [i["user_id"] for i in got] == [str(i) for i in ids]


def test_sort_attr_picks_the_attribute(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_user("bob", "b@example.com", "B", "B")
    sim.seed_user("alice", "a@example.com", "A", "A")
    sim.seed_user("carol", "c@example.com", "C", "C")
    got = items(client.get(USERS, params={"sort_attr": "username", "sort_dir": "asc"}))
    assert [i["username"] for i in got] == ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("path", "default"),
    [(ORGCHART, "id"), (GROUPS, "group_id"), (COURSES, "id_course"), (ENROLLMENTS, "id")],
)
def test_each_list_sorts_desc_by_its_default(
    client: httpx.Client, sim: DoceboSimulator, era: ApiEra, path: str, default: str
) -> None:
    if (era, path) == ("modern", ORGCHART):
        default = "id_org"
    user = sim.seed_user("u", "u@example.com", "U", "U")
    for n in range(3):
        sim.seed_branch(f"B{n}", f"B{n}")
        sim.seed_group(f"G{n}")
        course = sim.seed_course(f"C{n}", f"Course {n}")
        sim.seed_enrollment(course, user)
    keys = [item[default] for item in items(client.get(path))]
    assert keys == sorted(keys, reverse=True)
    assert len(keys) == 3


@pytest.mark.parametrize("params", [{"sort_attr": "password"}, {"sort_dir": "up"}])
def test_unknown_sort_values_are_400(client: httpx.Client, params: dict[str, str]) -> None:
    assert_error(client.get(USERS, params=params), 400)


# -- users ---------------------------------------------------------------------


def test_user_items_carry_ids_and_status_as_strings(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user_id = sim.seed_user("jdoe", "j@example.com", "John", "Doe", active=False)
    (item,) = items(client.get(USERS))
    assert item["user_id"] == str(user_id)
    assert (item["username"], item["email"], item["status"], item["level"]) == (
        "jdoe",
        "j@example.com",
        "0",
        "user",
    )
    assert (item["first_name"], item["last_name"]) == ("John", "Doe")
    assert item["creation_date"] == item["last_update"] == "2023-11-14 22:13:20"


def test_batch_creates_users(client: httpx.Client, sim: DoceboSimulator) -> None:
    new = {"username": "ann", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}
    (row,) = client.post(BATCH, json={"items": [new]}).json()["data"]
    assert (row["row_index"], row["success"]) == (0, True)
    assert row["output"]["username"] == "ann"
    assert isinstance(row["output"]["user_id"], int)
    assert sim.snapshot().users == {"ann": ("ann@example.com", "Ann", "Lee", True)}


def test_batch_accepts_the_2017_name_spellings(client: httpx.Client, sim: DoceboSimulator) -> None:
    new = {"username": "bo", "email": "bo@example.com", "firstname": "Bo", "lastname": "Ek"}
    client.post(BATCH, json={"items": [new], "options": {"update_user_info": True}})
    assert sim.snapshot().users["bo"] == ("bo@example.com", "Bo", "Ek", True)


def test_batch_row_failures_leave_other_rows_applied(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_user("taken", "taken@example.com", "T", "T")
    rows = [
        {"username": "ok1", "email": "ok1@example.com"},
        {"email": "nobody@example.com"},
        {"username": "bad", "email": "not-an-email"},
        {"username": "dup", "email": "TAKEN@example.com"},
        {"user_id": 999, "first_name": "X"},
        "not an object",
        {"username": "ok2", "email": "ok2@example.com", "active": False},
    ]
    data = client.post(BATCH, json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [True, False, False, False, False, False, True]
    assert [r["row_index"] for r in data] == list(range(7))
    assert all(r["output"]["error"] for r in data if not r["success"])
    assert set(sim.snapshot().users) == {"taken", "ok1", "ok2"}
    assert sim.snapshot().users["ok2"][3] is False


def test_batch_existing_username_needs_update_user_info(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    item = {"username": "ann", "first_name": "Anne"}
    (row,) = client.post(BATCH, json={"items": [item]}).json()["data"]
    assert row["success"] is False
    assert "exists" in row["output"]["error"]
    options = {"update_user_info": True}
    (row,) = client.post(BATCH, json={"items": [item], "options": options}).json()["data"]
    assert row["success"] is True
    assert sim.snapshot().users["ann"] == ("ann@example.com", "Anne", "Lee", True)


def test_batch_updates_by_user_id(client: httpx.Client, sim: DoceboSimulator) -> None:
    user_id = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    item = {"user_id": str(user_id), "email": "ann.lee@example.com", "active": False}
    (row,) = client.post(BATCH, json={"items": [item]}).json()["data"]
    assert row["output"]["user_id"] == user_id
    assert sim.snapshot().users["ann"] == ("ann.lee@example.com", "Ann", "Lee", False)


def test_batch_new_username_renames_only_with_update_user_info(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    user_id = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    item = {"user_id": user_id, "new_username": "anne"}
    (row,) = client.post(BATCH, json={"items": [item]}).json()["data"]
    assert row["success"] is False
    options = {"update_user_info": True}
    (row,) = client.post(BATCH, json={"items": [item], "options": options}).json()["data"]
    assert (row["success"], row["output"]["username"]) == (True, "anne")
    assert set(sim.snapshot().users) == {"anne"}


def test_batch_rows_see_earlier_rows(client: httpx.Client, sim: DoceboSimulator) -> None:
    rows = [
        {"username": "a", "email": "same@example.com"},
        {"username": "b", "email": "same@example.com"},
    ]
    data = client.post(BATCH, json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [True, False]


@pytest.mark.parametrize(
    "item",
    [
        {"username": ""},
        {"username": 5},
        {"username": "n", "first_name": 7},
        {"username": "n", "active": "yes"},
        {"username": "n", "email": "two@@example.com"},
    ],
)
def test_batch_rows_with_bad_fields_fail(client: httpx.Client, item: Json) -> None:
    (row,) = client.post(BATCH, json={"items": [item]}).json()["data"]
    assert row["success"] is False
    assert row["output"]["error"]


def test_batch_rename_to_a_taken_or_empty_username_fails(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    sim.seed_user("bob", "bob@example.com", "Bob", "Ek")
    rows = [{"user_id": ann, "new_username": "BOB"}, {"user_id": ann, "new_username": " "}]
    body = {"items": rows, "options": {"update_user_info": True}}
    data = client.post(BATCH, json=body).json()["data"]
    assert [r["success"] for r in data] == [False, False]
    assert set(sim.snapshot().users) == {"ann", "bob"}


def test_batch_rename_of_an_unknown_username_fails(client: httpx.Client) -> None:
    body = {
        "items": [{"username": "ghost", "new_username": "g"}],
        "options": {"update_user_info": True},
    }
    (row,) = client.post(BATCH, json=body).json()["data"]
    assert row["success"] is False


def test_usernames_are_unique_ignoring_case(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_user("Ann", "ann@example.com", "Ann", "Lee")
    (row,) = client.post(BATCH, json={"items": [{"username": "ANN"}]}).json()["data"]
    assert row["output"]["error"] == "User already exists"
    with pytest.raises(ValueError, match="exists"):
        sim.seed_user("ann", "other@example.com", "A", "L")


def test_batch_of_more_than_1000_items_is_400(client: httpx.Client) -> None:
    rows = [{"username": f"u{i}"} for i in range(1001)]
    assert_error(client.post(BATCH, json={"items": rows}), 400)
    assert client.post(BATCH, json={"items": rows[:1000]}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": "x"},
        {"items": [], "options": []},
        {"items": [], "options": {"update_user_info": "yes"}},
    ],
)
def test_malformed_batch_bodies_are_400(client: httpx.Client, body: Json) -> None:
    assert_error(client.post(BATCH, json=body), 400)


def test_batch_rejects_unknown_levels_per_row(client: httpx.Client) -> None:
    rows = [{"username": "a", "level": "god"}, {"username": "b", "level": "poweruser"}]
    data = client.post(BATCH, json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [False, True]


def test_change_status_deactivates_and_reactivates(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ids = seed_users(sim, 2)
    body = client.put(f"{USERS}/change_status", json={"user_ids": ids, "status": 0}).json()
    assert body == {"data": {"success": True}}
    assert [u[3] for u in sim.snapshot().users.values()] == [False, False]
    client.put(f"{USERS}/change_status", json={"user_ids": [ids[0]], "status": 1})
    assert [i["status"] for i in items(client.get(USERS, params={"sort_dir": "asc"}))] == ["1", "0"]


def test_change_status_with_unknown_ids_is_400_and_changes_nothing(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (known,) = seed_users(sim, 1)
    response = client.put(f"{USERS}/change_status", json={"user_ids": [known, 77, 78], "status": 0})
    assert "77, 78" in assert_error(response, 400)["message"]
    assert next(iter(sim.snapshot().users.values()))[3] is True


@pytest.mark.parametrize("status", [2, "x", None, True])
def test_change_status_needs_0_or_1(
    client: httpx.Client, sim: DoceboSimulator, status: object
) -> None:
    ids = seed_users(sim, 1)
    assert_error(
        client.put(f"{USERS}/change_status", json={"user_ids": ids, "status": status}), 400
    )


# -- branches ------------------------------------------------------------------


def create_branch(client: httpx.Client, code: str, parent: int = 0) -> int:
    body = {"code": code, "translations": {"english": f"Branch {code}"}, "id_parent": parent}
    response = client.post(ORGCHART, json=body)
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["id"])


def branch(client: httpx.Client, branch_id: int) -> Json:
    response = client.get(f"{ORGCHART}/{branch_id}")
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


@only_2017
def test_branch_item_shape(client: httpx.Client) -> None:
    top = create_branch(client, "TOP")
    child = create_branch(client, "KID", top)
    assert branch(client, child) == {
        "id": child,
        "code": "KID",
        "title": "Branch KID",
        "id_parent": top,
        "lev": 2,
        "i_left": 3,
        "i_right": 4,
    }
    assert branch(client, top)["id_parent"] is None


@only_2017
def test_nested_set_bounds_follow_every_change(client: httpx.Client) -> None:
    a = create_branch(client, "A")
    a1 = create_branch(client, "A1", a)
    b = create_branch(client, "B")
    assert [(branch(client, i)["i_left"], branch(client, i)["i_right"]) for i in (a, a1, b)] == [
        (2, 5),
        (3, 4),
        (6, 7),
    ]
    client.post(f"{ORGCHART}/{a1}/move", json={"id_new_parent": b})
    assert [(branch(client, i)["i_left"], branch(client, i)["i_right"]) for i in (a, b, a1)] == [
        (2, 3),
        (4, 7),
        (5, 6),
    ]
    client.delete(f"{ORGCHART}/{a1}")
    assert [branch(client, i)["i_right"] - branch(client, i)["i_left"] for i in (a, b)] == [1, 1]


@only_2017
def test_create_branch_at_root_when_id_parent_is_absent(client: httpx.Client) -> None:
    response = client.post(ORGCHART, json={"code": "R", "translations": {"english": "R"}})
    assert branch(client, response.json()["data"]["id"])["lev"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"translations": {"english": "x"}},
        {"code": "", "translations": {"english": "x"}},
        {"code": "X"},
        {"code": "X", "translations": {}},
        {"code": "X", "translations": {"english": 5}},
        {"code": "X", "translations": {"english": "x"}, "id_parent": 999},
        {"code": "X", "translations": {"english": "x"}, "id_parent": "top"},
    ],
)
def test_create_branch_rejects_bad_bodies(client: httpx.Client, body: Json) -> None:
    assert_error(client.post(ORGCHART, json=body), 400)


def test_a_branch_code_in_use_is_400(client: httpx.Client) -> None:
    create_branch(client, "SAME")
    assert_error(
        client.post(ORGCHART, json={"code": "SAME", "translations": {"english": "x"}}), 400
    )


def test_update_branch_code_and_translations(client: httpx.Client, sim: DoceboSimulator) -> None:
    b = create_branch(client, "OLD")
    body = {"code": "NEW", "translations": {"english": "Renamed", "italian": "Rinominato"}}
    assert client.put(f"{ORGCHART}/{b}", json=body).json() == {"data": {"success": True}}
    assert sim.snapshot().branches == {"NEW": ("Renamed", None)}


def test_update_branch_to_a_code_in_use_is_400(client: httpx.Client) -> None:
    create_branch(client, "A")
    b = create_branch(client, "B")
    assert_error(client.put(f"{ORGCHART}/{b}", json={"code": "A"}), 400)
    assert client.put(f"{ORGCHART}/{b}", json={"code": "B"}).status_code == 200


def test_move_branch_under_a_new_parent_and_back_to_root(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    a, b = create_branch(client, "A"), create_branch(client, "B")
    assert client.post(f"{ORGCHART}/{b}/move", json={"id_new_parent": a}).status_code == 200
    assert sim.snapshot().branches["B"] == ("Branch B", "A")
    client.post(f"{ORGCHART}/{b}/move", json={"id_new_parent": 0})
    assert sim.snapshot().branches["B"] == ("Branch B", None)


def test_moving_a_branch_into_its_descendant_is_400(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    a = create_branch(client, "A")
    child = create_branch(client, "A1", a)
    grandchild = create_branch(client, "A11", child)
    assert_error(client.post(f"{ORGCHART}/{a}/move", json={"id_new_parent": grandchild}), 400)
    assert_error(client.post(f"{ORGCHART}/{a}/move", json={"id_new_parent": a}), 400)
    assert sim.snapshot().branches == {
        "A": ("Branch A", None),
        "A1": ("Branch A1", "A"),
        "A11": ("Branch A11", "A1"),
    }


@pytest.mark.parametrize("body", [{}, {"id_new_parent": 999}, {"id_new_parent": "x"}])
def test_move_needs_a_known_parent(client: httpx.Client, body: Json) -> None:
    a = create_branch(client, "A")
    assert_error(client.post(f"{ORGCHART}/{a}/move", json=body), 400)


def test_delete_branch_with_children_is_400(client: httpx.Client) -> None:
    a = create_branch(client, "A")
    create_branch(client, "A1", a)
    assert_error(client.delete(f"{ORGCHART}/{a}"), 400)


def test_deleted_branch_users_lose_it(client: httpx.Client, sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    b = create_branch(client, "A")
    sim.assign_branch(b, user)
    assert client.delete(f"{ORGCHART}/{b}").json() == {"data": {"success": True}}
    assert sim.snapshot().branch_members == frozenset()
    assert_error(client.get(f"{ORGCHART}/{b}"), 404)


def test_list_children_of_root_and_of_a_node(client: httpx.Client) -> None:
    a = create_branch(client, "A")
    create_branch(client, "A1", a)
    create_branch(client, "B")
    assert [i["code"] for i in items(client.get(ORGCHART, params={"sort_dir": "asc"}))] == [
        "A",
        "B",
    ]
    assert [i["code"] for i in items(client.get(ORGCHART, params={"node_id": a}))] == ["A1"]


@pytest.mark.parametrize(("node", "status"), [("999", 404), ("x", 400)])
def test_list_children_of_a_bad_node(client: httpx.Client, node: str, status: int) -> None:
    assert_error(client.get(ORGCHART, params={"node_id": node}), status)


@pytest.mark.parametrize(("ref", "status"), [("0", 404), ("999", 404), ("abc", 400)])
def test_branch_path_ids_are_checked(client: httpx.Client, ref: str, status: int) -> None:
    assert_error(client.get(f"{ORGCHART}/{ref}"), status)


def test_branch_users_lists_direct_members_only_when_asked(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    """The 2017 SDK (OrgchartApi.md): without `only_first_level` the users of child
    branches come too."""
    a, b, c = seed_users(sim, 3)
    top = sim.seed_branch("TOP", "Top")
    kid = sim.seed_branch("KID", "Kid", parent_code="TOP")
    grandkid = sim.seed_branch("GK", "Grandkid", parent_code="KID")
    sim.assign_branch(top, a)
    sim.assign_branch(kid, b)
    sim.assign_branch(grandkid, c)
    direct = client.get(f"{ORGCHART}/{top}/users", params={"only_first_level": 1})
    assert items(direct) == [{"user_id": a, "username": "user000"}]
    under = client.get(f"{ORGCHART}/{top}/users", params={"sort_dir": "asc"})
    assert [i["user_id"] for i in items(under)] == [a, b, c]
    assert_error(client.get(f"{ORGCHART}/{top}/users", params={"only_first_level": "x"}), 400)


def test_assign_users_reports_each_outcome(client: httpx.Client, sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    org = sim.seed_branch("B", "B")
    sim.assign_branch(org, a)
    body = {"id_org": org, "id_users": f"{a}, {b},999,x"}
    data = client.post(f"{ORGCHART}/assign_users", json=body).json()["data"]
    assert data == {
        "success": [b],
        "already_assigned_users": [a],
        "users_not_exist": [999],
        "errors": ["x"],
    }
    assert sim.snapshot().branch_members == {("B", "user000"), ("B", "user001")}


@pytest.mark.parametrize(
    "body", [{"id_org": 999, "id_users": "1"}, {"id_org": 1, "id_users": [1]}, {"id_users": "1"}]
)
def test_assign_users_rejects_bad_bodies(
    client: httpx.Client, sim: DoceboSimulator, body: Json
) -> None:
    sim.seed_branch("B", "B")
    assert_error(client.post(f"{ORGCHART}/assign_users", json=body), 400)


def test_remove_from_branch(client: httpx.Client, sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    org = sim.seed_branch("B", "B")
    sim.assign_branch(org, a)
    sim.assign_branch(org, b)
    body = {"user_ids": [a], "branch_ids": [org]}
    assert client.put(f"{USERS}/remove_from_branch", json=body).json() == {
        "data": {"success": True}
    }
    assert sim.snapshot().branch_members == {("B", "user001")}


def test_remove_from_unknown_branch_is_400(client: httpx.Client, sim: DoceboSimulator) -> None:
    ids = seed_users(sim, 1)
    body = {"user_ids": ids, "branch_ids": [404]}
    assert (
        "404" in assert_error(client.put(f"{USERS}/remove_from_branch", json=body), 400)["message"]
    )


# -- secondary identifier ------------------------------------------------------


SECONDARY = {"use_secondary_identifier": "true"}


def test_a_branch_code_works_with_use_secondary_identifier(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    b = sim.seed_branch("code1562", "Sales")
    data = client.get(f"{ORGCHART}/code1562", params=SECONDARY).json()["data"]
    assert data["id" if sim.api_era == "2017" else "id_org"] == b


def test_a_code_without_the_flag_is_not_an_id(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_branch("code1562", "Sales")
    assert_error(client.get(f"{ORGCHART}/code1562"), 400)


def test_an_ambiguous_code_is_400(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_branch("twin", "One")
    sim.seed_branch("twin", "Two")
    body = assert_error(client.get(f"{ORGCHART}/twin", params=SECONDARY), 400)
    assert "not unique" in body["message"]


def test_an_unknown_code_is_404(client: httpx.Client) -> None:
    assert_error(client.get(f"{ORGCHART}/ghost", params=SECONDARY), 404)


def test_secondary_identifier_on_every_branch_path(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (user,) = seed_users(sim, 1)
    parent = sim.seed_branch("P", "P")
    b = sim.seed_branch("B", "B")
    sim.assign_branch(b, user)
    assert len(items(client.get(f"{ORGCHART}/B/users", params=SECONDARY))) == 1
    assert client.put(f"{ORGCHART}/B", params=SECONDARY, json={"code": "B2"}).status_code == 200
    move = client.post(f"{ORGCHART}/B2/move", params=SECONDARY, json={"id_new_parent": parent})
    assert move.status_code == 200
    assert client.delete(f"{ORGCHART}/B2", params=SECONDARY).status_code == 200
    assert set(sim.snapshot().branches) == {"P"}


def test_an_ambiguous_code_refuses_writes_too(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_branch("twin", "One")
    sim.seed_branch("twin", "Two")
    assert_error(client.delete(f"{ORGCHART}/twin", params=SECONDARY), 400)
    assert len(sim.dump_state()["branches"]) == 2


# -- branch batch --------------------------------------------------------------


def test_orgchart_batch_creates_skips_and_updates(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("P", "P")
    rows = [
        {"code": "A", "name": {"english": "A"}},
        {"code": "A1", "name": {"all": "A one"}, "parent_code": "P"},
        {"code": "X", "name": {"english": "X"}, "parent_code": "missing"},
        {"code": "A", "name": {"english": "Again"}},
    ]
    data = client.post(f"{ORGCHART}/batch", json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [True, True, False, True]
    assert "skipped" in data[3]["message"]
    assert data[3]["output"]["id"] == data[0]["output"]["id"]
    assert sim.snapshot().branches == {"P": ("P", None), "A": ("A", None), "A1": ("A one", "P")}
    update = {"items": [{"code": "A", "name": {"english": "Again"}}], "options": {"update": True}}
    client.post(f"{ORGCHART}/batch", json=update)
    assert sim.snapshot().branches["A"] == ("Again", None)


def test_orgchart_batch_delete(client: httpx.Client, sim: DoceboSimulator) -> None:
    a = sim.seed_branch("A", "A")
    kid = sim.seed_branch("K", "K", parent_code="A")
    data = client.request("DELETE", f"{ORGCHART}/batch", json={"ids": [a, kid, 99]}).json()["data"]
    assert [r["success"] for r in data] == [False, True, False]
    assert set(sim.snapshot().branches) == {"A"}


def test_orgchart_batch_rows_see_the_tree_as_it_was_before_the_call(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    """The strictest reading: a parent made, or children removed, by an earlier row of
    the same call do not count (no public source says rows see each other)."""
    rows = [
        {"code": "A", "name": {"english": "A"}},
        {"code": "A1", "name": {"english": "A one"}, "parent_code": "A"},
    ]
    data = client.post(f"{ORGCHART}/batch", json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [True, False]
    assert data[1]["output"]["error"] == "Parent branch not found: A"
    kid = client.post(f"{ORGCHART}/batch", json={"items": rows[1:]}).json()["data"][0]
    assert kid["success"] is True  # once A exists before the call
    ids = [kid["output"]["id"], data[0]["output"]["id"]]
    gone = client.request("DELETE", f"{ORGCHART}/batch", json={"ids": ids}).json()["data"]
    assert [r["success"] for r in gone] == [True, False]
    assert set(sim.snapshot().branches) == {"A"}


def test_orgchart_batch_row_failures(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_branch("twin", "One")
    sim.seed_branch("twin", "Two")
    rows = [
        "not an object",
        {"code": "", "name": {"english": "x"}},
        {"code": "X", "name": "x"},
        {"code": "X", "name": {"english": "x"}, "parent_code": 5},
        {"code": "X", "name": {"english": "x"}, "parent_code": "twin"},
        {"code": "twin", "name": {"english": "x"}},
        {"code": "OK", "translations": {"english": "ok"}},
    ]
    data = client.post(f"{ORGCHART}/batch", json={"items": rows}).json()["data"]
    assert [r["success"] for r in data] == [False] * 6 + [True]
    assert all(r["output"]["error"] for r in data[:6])
    assert set(sim.snapshot().branches) == {"twin", "OK"}


@pytest.mark.parametrize("body", [{}, {"items": {}}, {"items": [{"code": "c"}] * 1001}])
def test_malformed_orgchart_batches_are_400(client: httpx.Client, body: Json) -> None:
    assert_error(client.post(f"{ORGCHART}/batch", json=body), 400)
    assert_error(client.request("DELETE", f"{ORGCHART}/batch", json={"ids": []}), 400)


def test_orgchart_batch_update_cannot_create_a_cycle(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    sim.seed_branch("A", "A")
    sim.seed_branch("A1", "A1", parent_code="A")
    rows = [{"code": "A", "name": {"english": "A"}, "parent_code": "A1"}]
    body = {"items": rows, "options": {"update": True}}
    (row,) = client.post(f"{ORGCHART}/batch", json=body).json()["data"]
    assert row["success"] is False
    assert sim.snapshot().branches["A1"] == ("A1", "A")


# -- groups --------------------------------------------------------------------


def test_group_lifecycle(client: httpx.Client, sim: DoceboSimulator) -> None:
    created = client.post(GROUPS, json={"name": "Sales", "description": "All sales"})
    group_id = created.json()["data"]["group_id"]
    assert items(client.get(GROUPS)) == [
        {"group_id": group_id, "name": "Sales", "description": "All sales"}
    ]
    assert client.put(f"{GROUPS}/{group_id}", json={"name": "Sales EMEA"}).status_code == 200
    assert sim.snapshot().groups == {"Sales EMEA": "All sales"}
    assert client.delete(f"{GROUPS}/{group_id}").json() == {"data": {"success": True}}
    assert sim.snapshot().groups == {}


def test_a_group_name_in_use_is_400(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.seed_group("Sales")
    other = sim.seed_group("Ops")
    assert_error(client.post(GROUPS, json={"name": "Sales"}), 400)
    assert_error(client.put(f"{GROUPS}/{other}", json={"name": "Sales"}), 400)


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 3}])
def test_a_group_needs_a_name(client: httpx.Client, body: Json) -> None:
    assert_error(client.post(GROUPS, json=body), 400)


@pytest.mark.parametrize(("ref", "status"), [("999", 404), ("abc", 400)])
def test_group_path_ids_are_checked(client: httpx.Client, ref: str, status: int) -> None:
    assert_error(client.get(f"{GROUPS}/{ref}/members"), status)
    assert_error(client.delete(f"{GROUPS}/{ref}"), status)


def test_group_members_add_list_remove(client: httpx.Client, sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    group = sim.seed_group("Sales")
    data = client.post(f"{GROUPS}/{group}/members", json={"user_ids": [a, b, 999]}).json()["data"]
    assert data["success"] == [a, b]
    assert data["errors"] == ["User not found: 999"]
    members = items(client.get(f"{GROUPS}/{group}/members", params={"sort_dir": "asc"}))
    assert [(int(m["user_id"]), m["username"]) for m in members] == [
        (a, "user000"),
        (b, "user001"),
    ]
    removed = client.request("DELETE", f"{GROUPS}/{group}/members", json={"user_ids": [a]})
    assert removed.json()["data"] == {"success": [a], "errors": []}
    assert sim.snapshot().group_members == {("Sales", "user001")}


@only_2017
def test_group_member_items_2017(client: httpx.Client, sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    group = sim.seed_group("Sales")
    sim.seed_membership(group, user)
    assert items(client.get(f"{GROUPS}/{group}/members")) == [
        {"user_id": user, "username": "user000"}
    ]


def test_adding_a_member_twice_is_not_an_error(client: httpx.Client, sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    group = sim.seed_group("G")
    sim.seed_membership(group, user)
    data = client.post(f"{GROUPS}/{group}/members", json={"user_ids": [user]}).json()["data"]
    assert data == {"success": [user], "errors": []}


@pytest.mark.parametrize("body", [{}, {"user_ids": []}, {"user_ids": ["x"]}, {"user_ids": 3}])
def test_member_calls_need_user_ids(client: httpx.Client, sim: DoceboSimulator, body: Json) -> None:
    group = sim.seed_group("G")
    assert_error(client.post(f"{GROUPS}/{group}/members", json=body), 400)


# -- courses and enrollments ---------------------------------------------------


def test_courses_list(client: httpx.Client, sim: DoceboSimulator) -> None:
    course = sim.seed_course("SEC-101", "Security basics")
    """`id_course` in both eras: the 2017 SDK's LearnCourseIndexItems and a live tenant
    (docebo-mcp-server's contract test) name the course id so."""
    assert items(client.get(COURSES)) == [
        {"id_course": course, "code": "SEC-101", "name": "Security basics"}
    ]


def test_enroll_every_user_in_every_course(client: httpx.Client, sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    c1, c2 = sim.seed_course("C1", "One"), sim.seed_course("C2", "Two")
    body = {"course_ids": [c1, c2], "user_ids": [a, b], "level": 3}
    data = client.post(ENROLLMENTS, json=body).json()["data"]
    assert data["errors"] == []
    assert len(data["enrolled"]) == 4
    assert {"id_user": a, "id_course": c2} in data["enrolled"]
    assert len(sim.snapshot().enrollments) == 4


def test_enrolling_twice_is_not_an_error(client: httpx.Client, sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    course = sim.seed_course("C", "C")
    sim.seed_enrollment(course, user, status="in_progress")
    data = client.post(ENROLLMENTS, json={"course_ids": [course], "user_ids": [user]}).json()[
        "data"
    ]
    assert data == {"enrolled": [{"id_user": user, "id_course": course}], "errors": []}
    assert items(client.get(ENROLLMENTS))[0]["status"] == "in_progress"


def test_unknown_courses_and_users_are_error_lines(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (user,) = seed_users(sim, 1)
    course = sim.seed_course("C", "C")
    body = {"course_ids": [course, 77], "user_ids": [user, 88]}
    data = client.post(ENROLLMENTS, json=body).json()["data"]
    assert data["enrolled"] == [{"id_user": user, "id_course": course}]
    assert any("77" in line for line in data["errors"])
    assert any("88" in line for line in data["errors"])


@pytest.mark.parametrize(
    "body",
    [
        {"course_ids": [1]},
        {"course_ids": [], "user_ids": [1]},
        {"course_ids": [1], "user_ids": [1], "level": 9},
    ],
)
def test_enroll_rejects_bad_bodies(client: httpx.Client, sim: DoceboSimulator, body: Json) -> None:
    seed_users(sim, 1)
    sim.seed_course("C", "C")
    assert_error(client.post(ENROLLMENTS, json=body), 400)


def test_enrollment_items(client: httpx.Client, sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    course = sim.seed_course("SEC-101", "Security")
    sim.seed_enrollment(course, user, status="completed", score=92.5)
    assert items(client.get(ENROLLMENTS)) == [
        {
            "id": course,
            "user_id": user,
            "code": "SEC-101",
            "name": "Security",
            "status": "completed",
            "enroll_begin_date": "2023-11-14 22:13:20",
            "course_complete_date": "2023-11-14 22:13:20",
            "score": 92.5,
        }
    ]


def test_unenroll(client: httpx.Client, sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    course = sim.seed_course("C", "C")
    sim.seed_enrollment(course, a)
    body = {"course_ids": [course], "user_ids": [a, b, 99]}
    data = client.request("DELETE", ENROLLMENTS, json=body).json()["data"]
    assert data["un_enrolled"] == [
        {"id_user": a, "id_course": course},
        {"id_user": b, "id_course": course},
    ]
    assert data["errors"] == ["User not found: 99"]
    assert sim.snapshot().enrollments == frozenset()


def test_seed_enrollment_rejects_unknown_statuses(sim: DoceboSimulator) -> None:
    (user,) = seed_users(sim, 1)
    course = sim.seed_course("C", "C")
    with pytest.raises(ValueError, match="status"):
        sim.seed_enrollment(course, user, status="waiting")


# -- faults through the Docebo simulator ---------------------------------------


def test_429_with_retry_after(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.rate_limit(1, 60, retry_after=True)
    client.get(USERS)
    response = client.get(USERS)
    assert_error(response, 429)
    assert response.headers["retry-after"] == "60"


def test_429_without_retry_after(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.rate_limit(1, 60, retry_after=False)
    client.get(USERS)
    response = client.get(USERS)
    assert_error(response, 429)
    assert "retry-after" not in response.headers


def test_503_via_fail_next(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.fail_next(2, 503, path_prefix="/manage/")
    assert [client.get(USERS).status_code for _ in range(3)] == [503, 503, 200]
    assert assert_error_name(client, sim) == "Service Unavailable"


def assert_error_name(client: httpx.Client, sim: DoceboSimulator) -> str:
    sim.fail_next(1, 503)
    return str(assert_error(client.get(USERS), 503)["name"])


def test_307_is_followed_to_a_200(
    sim: DoceboSimulator, bearer: dict[str, str], base_url: str
) -> None:
    sim.redirect_next(1)
    with httpx.Client(
        transport=sim.transport(), base_url=base_url, headers=bearer, follow_redirects=True
    ) as c:
        response = c.post(GROUPS, json={"name": "Redirected"})
    assert response.status_code == 200
    assert [r.status for r in sim.requests[-2:]] == [307, 200]
    assert sim.snapshot().groups == {"Redirected": ""}


def test_307_location_is_the_same_url(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.redirect_next(1)
    response = client.get(USERS, params={"page": 2})
    assert response.status_code == 307
    assert response.headers["location"] == "https://sandbox.docebo.test/manage/v1/user?page=2"


# -- the serial set ------------------------------------------------------------


SERIAL_SET = {
    ("POST", "/manage/v1/user/batch"),
    ("POST", "/manage/v1/orgchart"),
    ("PUT", "/manage/v1/orgchart/{branch_id}"),
    ("DELETE", "/manage/v1/orgchart/{branch_id}"),
    ("POST", "/manage/v1/orgchart/{branch_id}/move"),
    ("POST", "/manage/v1/orgchart/batch"),
    ("DELETE", "/manage/v1/orgchart/batch"),
}


def test_the_serial_set_is_the_documented_one(sim: DoceboSimulator) -> None:
    assert {(r.method, r.pattern) for r in sim.router.routes if r.serial} == SERIAL_SET


def run_together(
    sim: DoceboSimulator, token: str, calls: list[tuple[str, str, Json]]
) -> list[httpx.Response]:
    barrier = threading.Barrier(len(calls))
    answers: list[httpx.Response] = []
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: Json) -> None:
        with httpx.Client(
            transport=sim.transport(), base_url="https://d.test", headers=headers
        ) as c:
            barrier.wait()
            answers.append(send(c, method, path, body))

    threads = [threading.Thread(target=call, args=spec) for spec in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


BATCH_CALL = ("POST", BATCH, {"items": [{"username": "x", "email": "x@example.com"}]})
BRANCH_CALL = ("POST", ORGCHART, {"code": "NEW", "translations": {"english": "New"}})


def test_two_user_batches_at_once_one_gets_409(sim: DoceboSimulator, token: str) -> None:
    sim.latency(0.4)
    second = ("POST", BATCH, {"items": [{"username": "y", "email": "y@example.com"}]})
    answers = run_together(sim, token, [BATCH_CALL, second])
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json() == {
        "name": "Conflict",
        "message": "Concurrent batch or branch call refused",
        "code": 409,
    }
    assert len(sim.violations) == 1


def test_a_batch_and_a_branch_call_at_once_one_gets_409(sim: DoceboSimulator, token: str) -> None:
    sim.latency(0.4)
    answers = run_together(sim, token, [BATCH_CALL, BRANCH_CALL])
    assert sorted(a.status_code for a in answers) == [200, 409]
    (violation,) = sim.violations
    assert {violation.path, violation.in_flight_path} == {BATCH, ORGCHART}


def test_sequential_serial_calls_are_fine(client: httpx.Client, sim: DoceboSimulator) -> None:
    sim.latency(0.01)
    assert send(client, *BATCH_CALL).status_code == 200
    assert send(client, *BRANCH_CALL).status_code == 200
    assert sim.violations == []


def test_reads_may_overlap_a_serial_call(sim: DoceboSimulator, token: str) -> None:
    sim.latency(0.3, serial_only=False)
    answers = run_together(sim, token, [BATCH_CALL, ("GET", USERS, {})])
    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sim.violations == []


# -- snapshot and persistence --------------------------------------------------


def seed_everything(sim: DoceboSimulator) -> None:
    a, b = seed_users(sim, 2)
    sim.seed_branch("HQ", "Headquarters")
    kid = sim.seed_branch("SALES", "Sales", parent_code="HQ")
    sim.assign_branch(kid, a)
    group = sim.seed_group("Everyone", "All staff")
    sim.seed_membership(group, b)
    course = sim.seed_course("SEC-101", "Security")
    sim.seed_enrollment(course, a)


def test_snapshot_is_a_plain_view(sim: DoceboSimulator) -> None:
    seed_everything(sim)
    snap = sim.snapshot()
    assert snap.users["user000"] == ("user000@example.com", "F", "L0", True)
    assert snap.branches == {"HQ": ("Headquarters", None), "SALES": ("Sales", "HQ")}
    assert snap.branch_members == {("SALES", "user000")}
    assert snap.groups == {"Everyone": "All staff"}
    assert snap.group_members == {("Everyone", "user001")}
    assert snap.enrollments == {("SEC-101", "user000")}


def test_dump_and_load_round_trip_exactly(
    sim: DoceboSimulator, token: str, clock: ManualClock
) -> None:
    seed_everything(sim)
    dumped = json.loads(json.dumps(sim.dump_state()))
    restored = DoceboSimulator(clock=clock)
    restored.load_state(dumped)
    assert restored.dump_state() == dumped
    assert restored.snapshot() == sim.snapshot()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(
        transport=restored.transport(), base_url="https://d.test", headers=headers
    ) as c:
        assert len(items(c.get(f"{ORGCHART}/2/users"))) == 1
        created = c.post(GROUPS, json={"name": "Later"}).json()["data"]["group_id"]
    assert created == 2


def test_load_state_rejects_unknown_formats(sim: DoceboSimulator) -> None:
    with pytest.raises(ValueError, match="format"):
        sim.load_state({"format": 99})


def test_seed_branch_needs_a_unique_parent_code(sim: DoceboSimulator) -> None:
    sim.seed_branch("twin", "One")
    sim.seed_branch("twin", "Two")
    with pytest.raises(ValueError, match="matches 2"):
        sim.seed_branch("kid", "Kid", parent_code="twin")


# -- nested set under any sequence of changes ---------------------------------

BRANCH_OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "move", "delete"]), st.integers(0, 30), st.integers(0, 30)
    ),
    max_size=25,
)


@settings(max_examples=100, deadline=None)
@given(ops=BRANCH_OPS)
def test_nested_set_stays_valid_under_any_changes(ops: list[tuple[str, int, int]]) -> None:
    sim = DoceboSimulator(clock=ManualClock(), api_era="2017")
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    with httpx.Client(transport=sim.transport(), base_url="https://d.test", headers=headers) as c:
        for n, (op, a, b) in enumerate(ops):
            ids = [0, *(branch["id"] for branch in sim.dump_state()["branches"])]
            apply_branch_op(c, op, ids[a % len(ids)], ids[b % len(ids)], n)
        tree = {b["id"]: b for b in all_branches(c, 0)}
    assert len(tree) == len(sim.dump_state()["branches"])
    check_nested_set(tree)


def apply_branch_op(c: httpx.Client, op: str, a: int, b: int, n: int) -> None:
    """Create under `a`, move `a` under `b` or delete `a`; refusals are fine."""
    if op == "create":
        body = {"code": f"C{n}", "translations": {"english": "x"}, "id_parent": a}
        assert c.post(ORGCHART, json=body).status_code == 200
    elif op == "move":
        moved = c.post(f"{ORGCHART}/{a}/move", json={"id_new_parent": b})
        assert moved.status_code in (200, 400, 404)
    else:
        assert c.delete(f"{ORGCHART}/{a}").status_code in (200, 400, 404)


def all_branches(c: httpx.Client, node: int) -> list[Json]:
    children = items(c.get(ORGCHART, params={"node_id": node, "page_size": 200}))
    return children + [d for child in children for d in all_branches(c, child["id"])]


def check_nested_set(tree: dict[int, Json]) -> None:
    bounds = sorted(v for b in tree.values() for v in (b["i_left"], b["i_right"]))
    assert bounds == list(range(2, 2 * len(tree) + 2))
    for b in tree.values():
        parent = tree.get(b["id_parent"] or -1)
        outer = (
            (1, 2 * len(tree) + 2, 0)
            if parent is None
            else (parent["i_left"], parent["i_right"], parent["lev"])
        )
        assert outer[0] < b["i_left"] < b["i_right"] < outer[1]
        assert b["lev"] == outer[2] + 1
        inside = [d for d in tree.values() if b["i_left"] < d["i_left"] < b["i_right"]]
        assert b["i_right"] - b["i_left"] == 2 * len(inside) + 1
