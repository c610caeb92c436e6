"""The conventions of docs/lms/dokeos.md, pinned against the Dokeos simulator
called in-process through httpx: the Accept rule, the bearer token, the error
shape, pagination, and the simulator served on loopback and in the registry."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from syncd.kinds import lookup
from syncd.sandbox import DokeosSimulator, serve
from syncd.sandbox.core import ManualClock
from syncd.sandbox.demo import DEMO_COURSES
from syncd.sandbox.dokeos.demo import DEMO

Json = dict[str, Any]

V1 = "application/vnd.dokeos+json;version=1"
V2 = "application/vnd.dokeos+json;version=2"
TOKEN = "Bearer sandbox-dokeos-token"
WITHDRAWN = {
    "error": "api_version_withdrawn",
    "message": "API V1 was withdrawn on 2024-09-30; "
    "send Accept: application/vnd.dokeos+json;version=2",
}
LISTS = ("/users", "/groups", "/trainings", "/participations")
EVERY_ROUTE = (
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/users/1"),
    ("PUT", "/users/1"),
    ("DELETE", "/user/1"),
    ("GET", "/groups"),
    ("POST", "/groups"),
    ("GET", "/groups/1"),
    ("PUT", "/groups/1"),
    ("DELETE", "/groups/1"),
    ("GET", "/trainings"),
    ("GET", "/trainings/1"),
    ("GET", "/participations"),
    ("POST", "/participations"),
    ("GET", "/participations/1"),
    ("DELETE", "/participations/1"),
    ("GET", "/jobs/job-1"),
    ("PUT", "/training_gate/1"),
    ("PUT", "/presence_sessions/sync"),
    ("PUT", "/presence_sessions/1/sync"),
    ("PUT", "/webinar_sessions/sync"),
    ("PUT", "/webinar_sessions/1/sync"),
)


def call(sim: DokeosSimulator, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(transport=sim.transport(), base_url="https://acme.dokeos.test") as client:
        return client.request(method, path, headers=headers, json={})


def assert_error(response: httpx.Response, status: int, error: str) -> Json:
    """The Dokeos error body: {"error", "message"}."""
    assert response.status_code == status, response.text
    body: Json = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == error
    assert body["message"]
    return body


def seed_users(sim: DokeosSimulator, n: int) -> list[int]:
    return [sim.seed_user(f"u{i:03}", f"u{i:03}@example.com", "F", f"L{i}") for i in range(n)]


def seed_lists(sim: DokeosSimulator, n: int) -> None:
    """`n` users, groups, trainings and participations."""
    users = seed_users(sim, n)
    for i, user_id in enumerate(users):
        sim.seed_group(f"Group {i}", f"G{i:03}")
        training = sim.seed_training(f"T{i:03}", f"Training {i}")
        sim.seed_participation(user_id, training)


# -- the Accept rule ---------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), EVERY_ROUTE)
def test_v1_is_410_with_the_withdrawal_body_on_every_route(
    dokeos: DokeosSimulator, method: str, path: str
) -> None:
    response = call(dokeos, method, path, {"Accept": V1, "Authorization": TOKEN})
    assert response.status_code == 410
    assert response.json() == WITHDRAWN


@pytest.mark.parametrize(("method", "path"), EVERY_ROUTE)
def test_a_missing_accept_is_406_on_every_route(
    dokeos: DokeosSimulator, method: str, path: str
) -> None:
    body = assert_error(call(dokeos, method, path, {"Authorization": TOKEN}), 406, "not_acceptable")
    assert V2 in body["message"]


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "*/*",
        "application/vnd.dokeos+json",
        "application/vnd.dokeos+json;version=3",
        "application/vnd.dokeos+xml;version=2",
        "",
    ],
)
def test_any_other_accept_is_406_naming_the_v2_media_type(
    dokeos: DokeosSimulator, accept: str
) -> None:
    response = call(dokeos, "GET", "/users", {"Accept": accept, "Authorization": TOKEN})
    assert V2 in assert_error(response, 406, "not_acceptable")["message"]


@pytest.mark.parametrize(
    "accept",
    [
        V2,
        "application/vnd.dokeos+json; version=2",
        "Application/VND.Dokeos+JSON;version=2",
        'application/vnd.dokeos+json;version="2"',
        f"application/json, {V2}",
        f"{V1}, {V2}",
    ],
)
def test_v2_is_served_however_it_is_spelled(dokeos: DokeosSimulator, accept: str) -> None:
    response = call(dokeos, "GET", "/users", {"Accept": accept, "Authorization": TOKEN})
    assert response.status_code == 200


def test_the_accept_rule_comes_before_auth_and_routing(dokeos: DokeosSimulator) -> None:
    assert call(dokeos, "GET", "/users", {"Accept": V1}).json() == WITHDRAWN
    assert call(dokeos, "GET", "/no/such/path", {"Accept": V1}).status_code == 410
    assert call(dokeos, "GET", "/no/such/path", {}).status_code == 406


def test_refused_accepts_are_logged(dokeos: DokeosSimulator) -> None:
    call(dokeos, "GET", "/users", {"Accept": V1, "Authorization": TOKEN})
    assert [(r.path, r.status) for r in dokeos.requests] == [("/users", 410)]


# -- the bearer token ----------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-token",
        "Basic c2FuZGJveA==",
        "sandbox-dokeos-token",
    ],
)
def test_a_missing_or_wrong_token_is_401(
    dokeos: DokeosSimulator, authorization: str | None
) -> None:
    headers = {"Accept": V2}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = call(dokeos, "GET", "/users", headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), EVERY_ROUTE)
def test_every_route_needs_the_token(dokeos: DokeosSimulator, method: str, path: str) -> None:
    assert call(dokeos, method, path, {"Accept": V2}).status_code == 401


def test_the_token_is_the_targets_api_token(clock: ManualClock) -> None:
    sim = DokeosSimulator(api_token="tenant-token", clock=clock)
    headers = {"Accept": V2, "Authorization": "Bearer tenant-token"}
    assert call(sim, "GET", "/users", headers).status_code == 200
    assert call(sim, "GET", "/users", {"Accept": V2, "Authorization": TOKEN}).status_code == 401


def test_the_bearer_scheme_is_case_insensitive(dokeos: DokeosSimulator) -> None:
    headers = {"Accept": V2, "Authorization": "bearer sandbox-dokeos-token"}
    assert call(dokeos, "GET", "/users", headers).status_code == 200


# -- errors --------------------------------------------------------------------------


def test_an_unknown_path_is_404_not_found(dokeos_client: httpx.Client) -> None:
    assert_error(dokeos_client.get("/courses"), 404, "not_found")


def test_a_wrong_verb_is_405_with_allow(dokeos_client: httpx.Client) -> None:
    response = dokeos_client.delete("/users/1")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, PUT"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users/99"),
        ("PUT", "/users/99"),
        ("DELETE", "/user/99"),
        ("GET", "/groups/99"),
        ("PUT", "/groups/99"),
        ("DELETE", "/groups/99"),
        ("GET", "/trainings/99"),
        ("GET", "/participations/99"),
        ("DELETE", "/participations/99"),
    ],
)
def test_an_unknown_id_is_404(dokeos_client: httpx.Client, method: str, path: str) -> None:
    body = assert_error(dokeos_client.request(method, path, json={}), 404, "not_found")
    assert "99" in body["message"]


@pytest.mark.parametrize("path", ["/users/abc", "/groups/-1", "/trainings/1.5"])
def test_a_path_id_that_is_not_an_integer_is_400(dokeos_client: httpx.Client, path: str) -> None:
    assert_error(dokeos_client.get(path), 400, "bad_request")


def test_a_body_that_is_not_json_is_400(dokeos_client: httpx.Client) -> None:
    response = dokeos_client.post("/users", content=b"{nope", headers={"Content-Type": "x"})
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("body", [[1, 2], "text", 3])
def test_a_body_that_is_not_an_object_is_400(dokeos_client: httpx.Client, body: object) -> None:
    assert_error(dokeos_client.post("/users", json=body), 400, "bad_request")


def test_injected_faults_answer_the_dokeos_error_shape(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    dokeos.fail_next(1, 503, retry_after=7)
    response = dokeos_client.get("/users")
    assert_error(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "7"
    assert dokeos_client.get("/users").status_code == 200


# -- pagination ----------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_every_list_holds_20_items_a_page_by_default(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    seed_lists(dokeos, 25)
    body = dokeos_client.get(path).json()
    assert len(body["data"]) == 20
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 25, "total_pages": 2}


@pytest.mark.parametrize("path", LISTS)
def test_pages_walk_every_item_once_in_ascending_id_order(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    seed_lists(dokeos, 25)
    ids = [
        item["id"]
        for page in (1, 2, 3, 4)
        for item in dokeos_client.get(path, params={"page": page, "per_page": 7}).json()["data"]
    ]
    assert ids == list(range(1, 26))


def test_the_last_page_is_partial_and_a_page_past_the_end_is_empty(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed_users(dokeos, 25)
    last = dokeos_client.get("/users", params={"page": 2}).json()
    assert [u["username"] for u in last["data"]] == [f"u{i:03}" for i in range(20, 25)]
    past = dokeos_client.get("/users", params={"page": 9}).json()
    assert past == {"data": [], "meta": {"page": 9, "per_page": 20, "total": 25, "total_pages": 2}}


def test_an_empty_list_has_no_pages(dokeos_client: httpx.Client) -> None:
    body = dokeos_client.get("/groups").json()
    assert body == {"data": [], "meta": {"page": 1, "per_page": 20, "total": 0, "total_pages": 0}}


@pytest.mark.parametrize("per_page", [1, 100])
@pytest.mark.parametrize("path", LISTS)
def test_per_page_1_to_100_is_accepted(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str, per_page: int
) -> None:
    seed_lists(dokeos, 3)
    body = dokeos_client.get(path, params={"per_page": per_page}).json()
    assert len(body["data"]) == min(per_page, 3)
    assert body["meta"]["per_page"] == per_page


@pytest.mark.parametrize("per_page", ["0", "101", "-1", "abc", "2.5", ""])
@pytest.mark.parametrize("path", LISTS)
def test_per_page_outside_1_to_100_or_not_an_integer_is_400(
    dokeos_client: httpx.Client, path: str, per_page: str
) -> None:
    response = dokeos_client.get(path, params={"per_page": per_page})
    assert "per_page" in assert_error(response, 400, "bad_request")["message"]


@pytest.mark.parametrize("page", ["0", "-2", "x"])
def test_page_below_1_or_not_an_integer_is_400(dokeos_client: httpx.Client, page: str) -> None:
    assert_error(dokeos_client.get("/users", params={"page": page}), 400, "bad_request")


def test_the_default_per_page_is_a_constructor_knob(clock: ManualClock) -> None:
    sim = DokeosSimulator(clock=clock, default_per_page=2)
    seed_users(sim, 3)
    body = call(sim, "GET", "/users", {"Accept": V2, "Authorization": TOKEN}).json()
    assert (len(body["data"]), body["meta"]["total_pages"]) == (2, 2)


@pytest.mark.parametrize("size", [0, 101])
def test_the_default_per_page_must_be_within_1_to_100(size: int) -> None:
    with pytest.raises(ValueError, match="default_per_page"):
        DokeosSimulator(default_per_page=size)


# -- served on loopback, and in the registry ---------------------------------------


@pytest.mark.slow
def test_served_on_loopback_it_answers_the_same_rules(dokeos: DokeosSimulator) -> None:
    user_id = dokeos.seed_user("ann", "ann@example.com", "Ann", "Lee")
    server = serve(dokeos)
    try:
        with httpx.Client(base_url=server.url, headers={"Accept": V2, "Authorization": TOKEN}) as c:
            withdrawn = c.get("/users", headers={"Accept": V1})
            job = c.delete(f"/user/{user_id}")
            status = c.get(f"/jobs/{job.json()['job_id']}").json()["status"]
    finally:
        server.shutdown()
    assert withdrawn.json() == WITHDRAWN
    assert (job.status_code, status) == (202, "done")
    assert dokeos.snapshot().users == {}


def test_the_registry_builds_a_dokeos_sandbox_with_the_demo_trainings() -> None:
    sim = DEMO.simulator(time.time)
    assert isinstance(sim, DokeosSimulator)
    assert lookup("dokeos").demo.target is DEMO.target
    headers = {"Accept": V2, "Authorization": TOKEN}
    trainings = call(sim, "GET", "/trainings", headers).json()["data"]
    assert [(t["code"], t["name"]) for t in trainings] == list(DEMO_COURSES)
