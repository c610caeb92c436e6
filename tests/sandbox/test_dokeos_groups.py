"""The group rules of docs/lms/dokeos.md against the Dokeos simulator: flat
groups, unique codes, synchronous create/rename/delete, and membership changes
as jobs that fail (changing nothing) on unknown user ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DokeosSimulator

Json = dict[str, Any]


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def unprocessable(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "unprocessable"
    return dict(response.json()["fields"])


def job_id(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def job(client: httpx.Client, job_id: str) -> Json:
    return dict(client.get(f"/jobs/{job_id}").json())


def people(sim: DokeosSimulator, *names: str) -> list[int]:
    return [sim.seed_user(n, f"{n}@example.com", n.title(), "Lee") for n in names]


# -- create, read, rename, delete --------------------------------------------------------


def test_post_groups_creates_an_empty_group_synchronously(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    body = {"name": "Sales", "code": "SAL", "description": "The sales team"}
    created = data(dokeos_client.post("/groups", json=body), 201)
    assert created == {
        "id": 1,
        "name": "Sales",
        "code": "SAL",
        "description": "The sales team",
        "learner_ids": [],
        "manager_ids": [],
    }
    assert set(dokeos_client.post("/groups", json={"name": "Ops"}).json()) == {"data"}
    assert dokeos.snapshot().groups == {"SAL": "Sales", "Ops": "Ops"}
    assert data(dokeos_client.get("/groups/1")) == created


def test_groups_are_flat(dokeos_client: httpx.Client) -> None:
    response = dokeos_client.post("/groups", json={"name": "Sales", "parent_id": 1})
    assert unprocessable(response) == {"parent_id": "is not a known field"}
    created = data(dokeos_client.post("/groups", json={"name": "Sales"}), 201)
    assert "parent_id" not in created


@pytest.mark.parametrize("code", ["SAL", "sal"])
def test_a_code_in_use_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, code: str
) -> None:
    dokeos.seed_group("Sales", "SAL")
    response = dokeos_client.post("/groups", json={"name": "Other", "code": code})
    assert unprocessable(response) == {"code": "has already been taken"}
    assert dokeos.snapshot().groups == {"SAL": "Sales"}


def test_many_groups_may_have_no_code(dokeos_client: httpx.Client) -> None:
    for name in ("Sales", "Ops"):
        assert dokeos_client.post("/groups", json={"name": name, "code": None}).status_code == 201


def test_changing_to_a_code_in_use_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    dokeos.seed_group("Sales", "SAL")
    ops = dokeos.seed_group("Ops", "OPS")
    response = dokeos_client.put(f"/groups/{ops}", json={"code": "SAL"})
    assert unprocessable(response) == {"code": "has already been taken"}
    assert data(dokeos_client.put(f"/groups/{ops}", json={"code": "OPS"}))["code"] == "OPS"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": ""}, {"name"}),
        ({"name": "Sales", "code": ""}, {"code"}),
        ({"name": "Sales", "description": 3}, {"description"}),
        ({"name": "Sales", "add_learner_ids": "1,2"}, {"add_learner_ids"}),
        ({"name": "Sales", "remove_manager_ids": [1, "x"]}, {"remove_manager_ids"}),
    ],
)
def test_a_group_body_breaking_a_rule_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, body: Json, fields: set[str]
) -> None:
    assert set(unprocessable(dokeos_client.post("/groups", json=body))) == fields
    assert dokeos.snapshot().groups == {}
    assert dokeos.snapshot().pending_jobs == 0


def test_put_with_only_name_or_description_is_200(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    sales = dokeos.seed_group("Sales", "SAL")
    response = dokeos_client.put(f"/groups/{sales}", json={"name": "Sales EU"})
    assert set(response.json()) == {"data"}
    changed = data(dokeos_client.put(f"/groups/{sales}", json={"description": ""}))
    assert (changed["name"], changed["description"]) == ("Sales EU", "")
    assert dokeos.snapshot().groups == {"SAL": "Sales EU"}


def test_delete_group_is_200_and_synchronous(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    sales = dokeos.seed_group("Sales", "SAL")
    (ann,) = people(dokeos, "ann")
    dokeos.add_learner(sales, ann)
    assert data(dokeos_client.delete(f"/groups/{sales}"))["learner_ids"] == [ann]
    assert (dokeos.snapshot().groups, dokeos.snapshot().learners) == ({}, frozenset())
    assert dokeos_client.get(f"/groups/{sales}").status_code == 404
    assert dokeos_client.post("/groups", json={"name": "New", "code": "SAL"}).status_code == 201


# -- membership changes are jobs ---------------------------------------------------------


def test_put_with_membership_keys_is_202_and_changes_nothing_until_the_job_settles(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    ann, bob = people(dokeos, "ann", "bob")
    sales = dokeos.seed_group("Sales", "SAL")
    response = dokeos_client.put(f"/groups/{sales}", json={"add_learner_ids": [ann, bob]})
    assert set(response.json()) == {"job_id"}
    job_id(response)
    assert dokeos.snapshot().learners == frozenset()
    dokeos.run_jobs()
    assert dokeos.snapshot().learners == {("SAL", "ann"), ("SAL", "bob")}


def test_learners_and_managers_are_added_and_removed(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    ann, bob, cid = people(dokeos, "ann", "bob", "cid")
    sales = dokeos.seed_group("Sales", "SAL")
    first = {"add_learner_ids": [ann, bob, cid], "add_manager_ids": [ann, bob]}
    job_id(dokeos_client.put(f"/groups/{sales}", json=first))
    second = {"remove_learner_ids": [bob], "remove_manager_ids": [ann]}
    job_id(dokeos_client.put(f"/groups/{sales}", json=second))
    group = data(dokeos_client.get(f"/groups/{sales}"))
    assert (group["learner_ids"], group["manager_ids"]) == ([ann, cid], [bob])


def test_adding_a_member_twice_and_removing_a_non_member_succeed(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    ann, bob = people(dokeos, "ann", "bob")
    sales = dokeos.seed_group("Sales", "SAL")
    dokeos.add_learner(sales, ann)
    body = {"add_learner_ids": [ann], "remove_learner_ids": [bob]}
    answer = job(dokeos_client, job_id(dokeos_client.put(f"/groups/{sales}", json=body)))
    assert answer["status"] == "done"
    assert dokeos.snapshot().learners == {("SAL", "ann")}


def test_post_groups_with_membership_keys_is_201_with_data_and_a_job(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (ann,) = people(dokeos, "ann")
    body = {"name": "Sales", "code": "SAL", "add_learner_ids": [ann]}
    response = dokeos_client.post("/groups", json=body)
    assert response.status_code == 201
    assert set(response.json()) == {"data", "job_id"}
    assert response.json()["data"]["learner_ids"] == []
    assert dokeos.snapshot().groups == {"SAL": "Sales"}
    assert dokeos.snapshot().learners == frozenset()
    dokeos.run_jobs()
    assert dokeos.snapshot().learners == {("SAL", "ann")}


def test_put_renaming_and_changing_members_renames_now_and_answers_202(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (ann,) = people(dokeos, "ann")
    sales = dokeos.seed_group("Sales", "SAL")
    body = {"name": "Sales EU", "add_learner_ids": [ann]}
    response = dokeos_client.put(f"/groups/{sales}", json=body)
    assert (response.status_code, set(response.json())) == (202, {"data", "job_id"})
    assert dokeos.snapshot().groups == {"SAL": "Sales EU"}
    assert dokeos.snapshot().learners == frozenset()


def test_unknown_user_ids_fail_the_job_not_the_request_and_change_nothing(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (ann,) = people(dokeos, "ann")
    sales = dokeos.seed_group("Sales", "SAL")
    body = {"add_learner_ids": [ann, 98], "remove_manager_ids": [99]}
    answer = job(dokeos_client, job_id(dokeos_client.put(f"/groups/{sales}", json=body)))
    assert (answer["status"], answer["error"]) == ("failed", "Users not found: 98, 99")
    assert dokeos.snapshot().learners == frozenset()


def test_a_job_for_a_group_deleted_meanwhile_fails(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (ann,) = people(dokeos, "ann")
    sales = dokeos.seed_group("Sales", "SAL")
    dokeos.job_duration(30)
    pending = job_id(dokeos_client.put(f"/groups/{sales}", json={"add_learner_ids": [ann]}))
    dokeos_client.delete(f"/groups/{sales}")
    dokeos.advance(30)
    answer = job(dokeos_client, pending)
    assert (answer["status"], answer["error"]) == ("failed", f"Group {sales} not found")


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_adding_and_removing_the_same_id_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, role: str
) -> None:
    (ann,) = people(dokeos, "ann")
    sales = dokeos.seed_group("Sales", "SAL")
    body = {f"add_{role}_ids": [ann], f"remove_{role}_ids": [ann]}
    fields = unprocessable(dokeos_client.put(f"/groups/{sales}", json=body))
    assert fields == {f"remove_{role}_ids": f"names ids also added: {ann}"}
    assert dokeos.snapshot().pending_jobs == 0


def test_membership_ids_may_be_decimal_strings(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (ann,) = people(dokeos, "ann")
    sales = dokeos.seed_group("Sales", "SAL")
    job_id(dokeos_client.put(f"/groups/{sales}", json={"add_learner_ids": [str(ann)]}))
    assert dokeos.run_jobs() == 1
    assert dokeos.snapshot().learners == {("SAL", "ann")}


def test_the_snapshot_keys_code_less_groups_by_name(dokeos: DokeosSimulator) -> None:
    (ann,) = people(dokeos, "ann")
    ops = dokeos.seed_group("Ops")
    dokeos.add_learner(ops, ann)
    assert (dokeos.snapshot().groups, dokeos.snapshot().learners) == (
        {"Ops": "Ops"},
        {("Ops", "ann")},
    )
