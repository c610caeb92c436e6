"""The Docebo simulator's hard delete, `DELETE /manage/v1/user/delete`, rule by rule
(docs/lms/docebo.md, Users and "Simulator decisions"), called in-process and on loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DoceboSimulator, serve

Json = dict[str, Any]
DELETE = "/manage/v1/user/delete"
USERS = "/manage/v1/user"


def delete(client: httpx.Client, body: object) -> httpx.Response:
    return client.request("DELETE", DELETE, json=body)


def data(response: httpx.Response) -> Json:
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def seed(sim: DoceboSimulator, *names: str) -> list[int]:
    return [sim.seed_user(n, f"{n}@example.com", n.title(), "Doe") for n in names]


def test_delete_removes_the_user_with_memberships_and_enrollments(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann, bob = seed(sim, "ann", "bob")
    branch, group = sim.seed_branch("SAL", "Sales"), sim.seed_group("Staff")
    course = sim.seed_course("SEC-101", "Security")
    for user in (ann, bob):
        sim.assign_branch(branch, user)
        sim.seed_membership(group, user)
        sim.seed_enrollment(course, user, status="completed", score=90)
    answer = data(delete(client, {"user_ids": [ann]}))
    assert answer == {"success": True, "deleted_user_ids": [ann], "errors": []}
    after = sim.snapshot()
    assert set(after.users) == {"bob"}
    assert after.branch_members == {("SAL", "bob")}
    assert after.group_members == {("Staff", "bob")}
    assert after.enrollments == {("SEC-101", "bob")}
    assert [item["user_id"] for item in data(client.get(USERS))["items"]] == [str(bob)]


def test_unknown_ids_are_reported_not_deleted_and_the_rest_goes(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (ann,) = seed(sim, "ann")
    answer = data(delete(client, {"user_ids": [77, str(ann), "78"]}))
    assert answer == {
        "success": False,
        "deleted_user_ids": [ann],
        "errors": ["User not found: 77", "User not found: 78"],
    }
    assert sim.snapshot().users == {}


def test_deleting_the_same_user_twice_reports_it_not_found(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (ann,) = seed(sim, "ann")
    data(delete(client, {"user_ids": [ann]}))
    answer = data(delete(client, {"user_ids": [ann]}))
    assert answer == {
        "success": False,
        "deleted_user_ids": [],
        "errors": [f"User not found: {ann}"],
    }


def test_users_may_be_named_by_username_ignoring_case(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann, bob, _ = seed(sim, "ann", "bob", "cid")
    answer = data(delete(client, {"user_ids": [ann], "user_names": ["ANN", "Bob", "zed"]}))
    assert answer == {
        "success": False,
        "deleted_user_ids": [ann, bob],
        "errors": ["User not found: zed"],
    }
    assert set(sim.snapshot().users) == {"cid"}


def test_a_deleted_username_is_free_again_and_ids_are_not_reused(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    (ann,) = seed(sim, "ann")
    data(delete(client, {"user_ids": [ann]}))
    rows = client.post(f"{USERS}/batch", json={"items": [{"username": "ann"}]}).json()["data"]
    assert rows[0]["success"] is True
    assert rows[0]["output"]["user_id"] == ann + 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user_ids": []},
        {"user_ids": ["x"]},
        {"user_ids": [True]},
        {"user_ids": 3},
        {"user_names": []},
        {"user_names": ["ann", 4]},
        {"user_names": [""]},
        {"user_ids": list(range(1, 1002))},
        ["ann"],
    ],
)
def test_malformed_bodies_are_400_and_delete_nothing(
    client: httpx.Client, sim: DoceboSimulator, body: object
) -> None:
    seed(sim, "ann")
    response = delete(client, body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"name", "message", "code"}
    assert set(sim.snapshot().users) == {"ann"}


def test_delete_is_only_served_as_delete_and_needs_a_token(
    client: httpx.Client, anon: httpx.Client
) -> None:
    assert client.get(DELETE).status_code == 405
    assert client.post(DELETE, json={"user_ids": [1]}).status_code == 405
    assert anon.request("DELETE", DELETE, json={"user_ids": [1]}).status_code == 401


def test_delete_is_not_a_serial_call(sim: DoceboSimulator) -> None:
    [route] = [r for r in sim.router.routes if r.pattern == DELETE]
    assert (route.method, route.serial) == ("DELETE", False)


@pytest.mark.slow
def test_delete_with_a_json_body_works_on_loopback(sim: DoceboSimulator, token: str) -> None:
    ann, bob = seed(sim, "ann", "bob")
    server = serve(sim)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers) as c:
            answer = data(delete(c, {"user_ids": [ann, bob]}))
    finally:
        server.shutdown()
    assert answer["deleted_user_ids"] == [ann, bob]
    assert sim.snapshot().users == {}
    assert sim.writes[-1].body == {"user_ids": [ann, bob]}


def test_a_deleted_user_stays_deleted_through_dump_and_load(
    client: httpx.Client, sim: DoceboSimulator
) -> None:
    ann, _ = seed(sim, "ann", "bob")
    sim.assign_branch(sim.seed_branch("SAL", "Sales"), ann)
    data(delete(client, {"user_ids": [ann]}))
    copy = DoceboSimulator()
    copy.load_state(sim.dump_state())
    assert copy.snapshot() == sim.snapshot()
    assert copy.dump_state() == sim.dump_state()
