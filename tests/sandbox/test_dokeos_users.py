"""The user rules of docs/lms/dokeos.md against the Dokeos simulator: item shape,
response_attributes, filters, create/update with their 422s, and the
asynchronous `DELETE /user/:id`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DokeosSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]

NEW_USER = {"username": "ann", "email": "ann@example.com", "firstname": "Ann", "lastname": "Lee"}
OPTIONAL = ("group_ids", "role_names", "tag_ids", "skills")
BASE_KEYS = {
    "id",
    "username",
    "email",
    "firstname",
    "lastname",
    "external_id",
    "active",
    "created_at",
    "updated_at",
}


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def unprocessable(response: httpx.Response) -> dict[str, str]:
    """The 422 body's `fields`."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"], set(body)) == ("unprocessable", {"error", "message", "fields"})
    return dict(body["fields"])


def job_id(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"job_id"}
    return str(response.json()["job_id"])


def job(client: httpx.Client, job_id: str) -> Json:
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def ann(sim: DokeosSimulator, **extra: Any) -> int:
    return sim.seed_user("ann", "ann@example.com", "Ann", "Lee", **extra)


# -- reading -------------------------------------------------------------------------


def test_a_user_item_has_the_decided_shape(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos, external_id="E-1")
    [item] = data(dokeos_client.get("/users"))
    assert item == {
        "id": user_id,
        "username": "ann",
        "email": "ann@example.com",
        "firstname": "Ann",
        "lastname": "Lee",
        "external_id": "E-1",
        "active": True,
        "created_at": "2023-11-14T22:13:20Z",
        "updated_at": "2023-11-14T22:13:20Z",
    }
    assert data(dokeos_client.get(f"/users/{user_id}")) == item


@pytest.mark.parametrize("path", ["/users", "/users/1"])
def test_optional_attributes_are_left_out_by_default(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    ann(dokeos)
    found = data(dokeos_client.get(path))
    item = found[0] if isinstance(found, list) else found
    assert set(item) == BASE_KEYS


@pytest.mark.parametrize("path", ["/users", "/users/1"])
def test_response_attributes_adds_all_four(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    user_id = ann(dokeos)
    dokeos.add_learner(dokeos.seed_group("Sales", "SAL"), user_id)
    params = {"response_attributes": ",".join(OPTIONAL)}
    found = data(dokeos_client.get(path, params=params))
    item = found[0] if isinstance(found, list) else found
    assert set(item) == BASE_KEYS | set(OPTIONAL)
    assert (item["group_ids"], item["role_names"], item["tag_ids"], item["skills"]) == (
        [1],
        ["learner"],
        [],
        [],
    )


@pytest.mark.parametrize("asked", ["group_ids", "skills,tag_ids", " role_names , group_ids "])
def test_response_attributes_takes_any_subset(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, asked: str
) -> None:
    ann(dokeos)
    [item] = data(dokeos_client.get("/users", params={"response_attributes": asked}))
    assert set(item) - BASE_KEYS == {name.strip() for name in asked.split(",")}


@pytest.mark.parametrize("path", ["/users", "/users/1"])
def test_an_unknown_response_attribute_is_400(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    ann(dokeos)
    response = dokeos_client.get(path, params={"response_attributes": "group_ids,progressions"})
    assert response.status_code == 400
    assert "progressions" in response.json()["message"]


def test_group_ids_name_groups_led_and_followed(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos)
    sales, _, board = (dokeos.seed_group(name) for name in ("Sales", "Ops", "Board"))
    dokeos.add_learner(sales, user_id)
    job_id(dokeos_client.put(f"/groups/{board}", json={"add_manager_ids": [user_id]}))
    params = {"response_attributes": "group_ids"}
    assert data(dokeos_client.get(f"/users/{user_id}", params=params))["group_ids"] == [
        sales,
        board,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"external_id": "E-2"}, ["bob"]),
        ({"email": "BOB@example.com"}, ["bob"]),
        ({"username": "ANN"}, ["ann"]),
        ({"username": "ann", "email": "bob@example.com"}, []),
        ({"external_id": "e-2"}, []),
        ({"username": "nobody"}, []),
    ],
)
def test_users_filter_by_external_id_email_and_username(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, params: Json, expected: list[str]
) -> None:
    ann(dokeos, external_id="E-1")
    dokeos.seed_user("bob", "bob@example.com", "Bob", "Ray", external_id="E-2")
    found = data(dokeos_client.get("/users", params=params))
    assert [user["username"] for user in found] == expected


# -- creating and updating -----------------------------------------------------------


def test_post_users_creates_synchronously(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    body = {**NEW_USER, "external_id": "E-1", "active": False}
    created = data(dokeos_client.post("/users", json=body), 201)
    assert (created["id"], created["external_id"], created["active"]) == (1, "E-1", False)
    assert dokeos.snapshot().users == {"ann": ("ann@example.com", "Ann", "Lee", False, "E-1")}
    assert dokeos.snapshot().pending_jobs == 0


def test_post_users_defaults_to_active_without_external_id(dokeos_client: httpx.Client) -> None:
    created = data(dokeos_client.post("/users", json=NEW_USER), 201)
    assert (created["active"], created["external_id"]) == (True, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "ANN"}, "username"),
        ({"email": "Ann@Example.com"}, "email"),
        ({"external_id": "E-1"}, "external_id"),
    ],
)
def test_a_username_email_or_external_id_in_use_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, change: Json, field: str
) -> None:
    ann(dokeos, external_id="E-1")
    body = {**NEW_USER, "username": "other", "email": "other@example.com", **change}
    assert unprocessable(dokeos_client.post("/users", json=body)) == {
        field: "has already been taken"
    }
    assert len(dokeos.snapshot().users) == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "email", "firstname", "lastname"}),
        ({**NEW_USER, "email": "not-an-email"}, {"email"}),
        ({**NEW_USER, "firstname": ""}, {"firstname"}),
        ({**NEW_USER, "lastname": 7}, {"lastname"}),
        ({**NEW_USER, "active": "yes"}, {"active"}),
        ({**NEW_USER, "external_id": ""}, {"external_id"}),
        ({**NEW_USER, "role": "admin"}, {"role"}),
    ],
)
def test_a_body_breaking_a_rule_is_422_naming_the_fields(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, body: Json, fields: set[str]
) -> None:
    assert set(unprocessable(dokeos_client.post("/users", json=body))) == fields
    assert dokeos.snapshot().users == {}


def test_put_users_changes_the_given_fields(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user_id = ann(dokeos)
    clock.advance(60)
    change = {"email": "ann.lee@example.com", "lastname": "Lee-Ray", "external_id": "E-9"}
    updated = data(dokeos_client.put(f"/users/{user_id}", json=change))
    assert (updated["created_at"], updated["updated_at"]) == (
        "2023-11-14T22:13:20Z",
        "2023-11-14T22:14:20Z",
    )
    assert dokeos.snapshot().users["ann"] == ("ann.lee@example.com", "Ann", "Lee-Ray", True, "E-9")


def test_deactivation_is_active_false(dokeos: DokeosSimulator, dokeos_client: httpx.Client) -> None:
    user_id = ann(dokeos)
    assert data(dokeos_client.put(f"/users/{user_id}", json={"active": False}))["active"] is False
    assert data(dokeos_client.put(f"/users/{user_id}", json={"active": True}))["active"] is True


def test_put_without_a_change_keeps_updated_at(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user_id = ann(dokeos)
    clock.advance(60)
    same = data(dokeos_client.put(f"/users/{user_id}", json={"firstname": "Ann"}))
    assert same["updated_at"] == "2023-11-14T22:13:20Z"


def test_external_id_can_be_cleared_with_null(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos, external_id="E-1")
    assert (
        data(dokeos_client.put(f"/users/{user_id}", json={"external_id": None}))["external_id"]
        is None
    )


def test_put_to_anothers_username_is_422_and_keeping_ones_own_is_fine(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos)
    dokeos.seed_user("bob", "bob@example.com", "Bob", "Ray")
    response = dokeos_client.put(f"/users/{user_id}", json={"username": "Bob"})
    assert unprocessable(response) == {"username": "has already been taken"}
    assert data(dokeos_client.put(f"/users/{user_id}", json={"username": "ANN"}))["username"] == (
        "ANN"
    )


@pytest.mark.parametrize("body", [{"username": None}, {"email": "x"}, {"active": 0}, {"id": 3}])
def test_put_with_a_bad_field_is_422_and_changes_nothing(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, body: Json
) -> None:
    user_id = ann(dokeos)
    before = dokeos.snapshot()
    assert set(unprocessable(dokeos_client.put(f"/users/{user_id}", json=body))) == set(body)
    assert dokeos.snapshot() == before


# -- DELETE /user/:id ------------------------------------------------------------------


def test_delete_user_answers_202_and_deletes_only_when_the_job_settles(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos)
    job = job_id(dokeos_client.delete(f"/user/{user_id}"))
    assert "ann" in dokeos.snapshot().users
    assert dokeos.snapshot().pending_jobs == 1
    assert dokeos.run_jobs() == 1
    assert dokeos.snapshot().users == {}
    assert job.startswith("job-")


def test_delete_user_removes_memberships_and_participations_when_the_job_runs(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id, bob = ann(dokeos), dokeos.seed_user("bob", "bob@example.com", "Bob", "Ray")
    sales = dokeos.seed_group("Sales", "SAL")
    dokeos.add_learner(sales, user_id)
    dokeos.add_learner(sales, bob)
    job_id(dokeos_client.put(f"/groups/{sales}", json={"add_manager_ids": [user_id]}))
    training = dokeos.seed_training("SEC-101", "Security")
    dokeos.seed_participation(user_id, training)
    dokeos.seed_participation(bob, training)
    job_id(dokeos_client.delete(f"/user/{user_id}"))
    assert ("SAL", "ann") in dokeos.snapshot().learners
    dokeos.run_jobs()
    snapshot = dokeos.snapshot()
    assert (snapshot.learners, snapshot.participations) == (
        frozenset({("SAL", "bob")}),
        frozenset({("SEC-101", "bob")}),
    )
    group = data(dokeos_client.get(f"/groups/{sales}"))
    assert (group["learner_ids"], group["manager_ids"]) == ([bob], [])


def test_delete_user_job_reports_done(dokeos: DokeosSimulator, dokeos_client: httpx.Client) -> None:
    job_answer = job(dokeos_client, job_id(dokeos_client.delete(f"/user/{ann(dokeos)}")))
    assert (job_answer["status"], job_answer["error"]) == ("done", None)


def test_deleting_a_user_twice_before_the_job_runs_settles_both_done(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user_id = ann(dokeos)
    dokeos.job_duration(10)
    first, second = (job_id(dokeos_client.delete(f"/user/{user_id}")) for _ in range(2))
    dokeos.advance(10)
    assert [job(dokeos_client, j)["status"] for j in (first, second)] == ["done", "done"]
    assert dokeos_client.delete(f"/user/{user_id}").status_code == 404


def test_delete_on_the_plural_path_is_405(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    assert dokeos_client.delete(f"/users/{ann(dokeos)}").status_code == 405


def test_a_deleted_users_username_is_free_again(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    job_id(dokeos_client.delete(f"/user/{ann(dokeos, external_id='E-1')}"))
    created = data(dokeos_client.post("/users", json={**NEW_USER, "external_id": "E-1"}), 201)
    assert created["id"] == 2
