"""The training and participation rules of docs/lms/dokeos.md against the Dokeos
simulator: item shapes, `progressions` only on request, the 5-id filter limits,
and creation and deletion as jobs (creation idempotent)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DokeosSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]

PARTICIPATION_KEYS = {
    "id",
    "user_id",
    "training_id",
    "status",
    "score",
    "created_at",
    "completed_at",
}


def data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def job_id(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"job_id"}
    return str(response.json()["job_id"])


def job(client: httpx.Client, job_id: str) -> Json:
    return dict(client.get(f"/jobs/{job_id}").json())


def people(sim: DokeosSimulator, n: int) -> list[int]:
    return [sim.seed_user(f"u{i}", f"u{i}@example.com", "F", "L") for i in range(n)]


def catalog(sim: DokeosSimulator, n: int) -> list[int]:
    return [sim.seed_training(f"T-{i}", f"Training {i}") for i in range(n)]


def filtered(client: httpx.Client, **params: str) -> list[tuple[int, int]]:
    return [
        (p["user_id"], p["training_id"]) for p in data(client.get("/participations", params=params))
    ]


# -- trainings -----------------------------------------------------------------------


def test_trainings_list_code_and_name(dokeos: DokeosSimulator, dokeos_client: httpx.Client) -> None:
    training = dokeos.seed_training("SEC-101", "Security Awareness")
    expected = {"id": training, "code": "SEC-101", "name": "Security Awareness"}
    assert data(dokeos_client.get("/trainings")) == [expected]
    assert data(dokeos_client.get(f"/trainings/{training}")) == expected


def test_training_codes_are_unique_when_seeded(dokeos: DokeosSimulator) -> None:
    dokeos.seed_training("SEC-101", "Security")
    with pytest.raises(ValueError, match="SEC-101"):
        dokeos.seed_training("SEC-101", "Again")


# -- reading participations ------------------------------------------------------------


def test_a_participation_item_has_the_decided_shape(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    item_id = dokeos.seed_participation(user, training)
    clock.advance(3600)
    dokeos.set_participation(item_id, status="completed", score=87.5)
    expected = {
        "id": item_id,
        "user_id": user,
        "training_id": training,
        "status": "completed",
        "score": 87.5,
        "created_at": "2023-11-14T22:13:20Z",
        "completed_at": "2023-11-14T23:13:20Z",
    }
    assert data(dokeos_client.get("/participations")) == [expected]
    assert data(dokeos_client.get(f"/participations/{item_id}")) == expected


@pytest.mark.parametrize("path", ["/participations", "/participations/1"])
def test_progressions_are_left_out_by_default(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    dokeos.seed_participation(people(dokeos, 1)[0], catalog(dokeos, 1)[0])
    found = data(dokeos_client.get(path))
    assert set(found[0] if isinstance(found, list) else found) == PARTICIPATION_KEYS


@pytest.mark.parametrize("path", ["/participations", "/participations/1"])
def test_response_attributes_progressions_adds_them(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    dokeos.seed_participation(user, training, status="in_progress")
    found = data(dokeos_client.get(path, params={"response_attributes": "progressions"}))
    item = found[0] if isinstance(found, list) else found
    assert set(item) == PARTICIPATION_KEYS | {"progressions"}
    assert item["progressions"] == [
        {
            "module_id": training,
            "status": "in_progress",
            "progress": 50,
            "score": None,
            "completed_at": None,
        }
    ]


@pytest.mark.parametrize("path", ["/participations", "/participations/1"])
def test_an_unknown_participation_attribute_is_400(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, path: str
) -> None:
    dokeos.seed_participation(people(dokeos, 1)[0], catalog(dokeos, 1)[0])
    response = dokeos_client.get(path, params={"response_attributes": "progressions,skills"})
    assert (response.status_code, response.json()["error"]) == (400, "bad_request")


@pytest.mark.parametrize("name", ["training_ids", "user_ids"])
def test_a_filter_of_5_ids_is_accepted(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, name: str
) -> None:
    users, trainings = people(dokeos, 6), catalog(dokeos, 6)
    for user, training in zip(users, trainings, strict=True):
        dokeos.seed_participation(user, training)
    assert len(filtered(dokeos_client, **{name: "1,2,3,4,5"})) == 5


@pytest.mark.parametrize("name", ["training_ids", "user_ids"])
@pytest.mark.parametrize("value", ["1,2,3,4,5,6", "1,1,1,1,1,1"])
def test_a_filter_of_6_ids_is_400(dokeos_client: httpx.Client, name: str, value: str) -> None:
    response = dokeos_client.get("/participations", params={name: value})
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": f"'{name}' can contain no more than 5 elements",
    }


@pytest.mark.parametrize("name", ["training_ids", "user_ids"])
def test_a_filter_counts_repeated_parameters_together(
    dokeos_client: httpx.Client, name: str
) -> None:
    params = [(name, "1,2,3"), (name, "4,5,6")]
    assert dokeos_client.get("/participations", params=params).status_code == 400


@pytest.mark.parametrize("value", ["", "a", "1,,2", "1;2", "-1"])
def test_a_filter_that_is_not_integer_ids_is_400(dokeos_client: httpx.Client, value: str) -> None:
    assert dokeos_client.get("/participations", params={"user_ids": value}).status_code == 400


def test_filters_combine(dokeos: DokeosSimulator, dokeos_client: httpx.Client) -> None:
    (ann, bob), (sec, gdpr) = people(dokeos, 2), catalog(dokeos, 2)
    for user in (ann, bob):
        for training in (sec, gdpr):
            dokeos.seed_participation(user, training)
    assert filtered(dokeos_client, user_ids=f"{bob}") == [(bob, sec), (bob, gdpr)]
    assert filtered(dokeos_client, user_ids=f"{ann},{bob}", training_ids=f"{gdpr}") == [
        (ann, gdpr),
        (bob, gdpr),
    ]


# -- creating and deleting are jobs ------------------------------------------------------


def test_post_participation_is_202_and_creates_when_the_job_settles(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    job_id(dokeos_client.post("/participations", json={"user_id": user, "training_id": training}))
    assert dokeos.snapshot().participations == frozenset()
    dokeos.run_jobs()
    assert dokeos.snapshot().participations == {("T-0", "u0")}
    [item] = data(dokeos_client.get("/participations"))
    assert (item["status"], item["score"], item["completed_at"]) == ("not_started", None, None)


def test_creating_an_existing_participation_succeeds_without_a_second(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    existing = dokeos.seed_participation(user, training, status="completed", score=90)
    body = {"user_id": user, "training_id": training}
    answers = [job(dokeos_client, job_id(dokeos_client.post("/participations", json=body)))]
    dokeos.job_duration(5)
    twice = [job_id(dokeos_client.post("/participations", json=body)) for _ in range(2)]
    dokeos.advance(5)
    answers += [job(dokeos_client, j) for j in twice]
    assert [a["status"] for a in answers] == ["done", "done", "done"]
    [item] = data(dokeos_client.get("/participations"))
    assert (item["id"], item["status"], item["score"]) == (existing, "completed", 90)


def test_concurrent_creations_of_a_new_pair_make_one_participation(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    body = {"user_id": user, "training_id": training}
    dokeos.job_duration(5)
    for _ in range(3):
        job_id(dokeos_client.post("/participations", json=body))
    assert dokeos.snapshot().pending_jobs == 3
    dokeos.advance(5)
    assert dokeos.run_jobs() == 3
    assert len(data(dokeos_client.get("/participations"))) == 1


def test_an_unknown_user_or_training_fails_the_job_naming_them(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    body = {"user_id": 41, "training_id": 42}
    answer = job(dokeos_client, job_id(dokeos_client.post("/participations", json=body)))
    assert (answer["status"], answer["error"]) == (
        "failed",
        "User 41 not found; Training 42 not found",
    )
    assert dokeos.snapshot().participations == frozenset()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"user_id": "is required", "training_id": "is required"}),
        ({"user_id": "x", "training_id": 1}, {"user_id": "must be an integer id"}),
        ({"user_id": 1, "training_id": 1, "x": 1}, {"x": "is not a known field"}),
    ],
)
def test_a_participation_body_breaking_a_rule_is_422(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, body: Json, fields: dict[str, str]
) -> None:
    response = dokeos_client.post("/participations", json=body)
    assert (response.status_code, response.json()["fields"]) == (422, fields)
    assert dokeos.snapshot().pending_jobs == 0


def test_delete_participation_is_202_and_deletes_when_the_job_settles(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    item = dokeos.seed_participation(user, training)
    job_id(dokeos_client.delete(f"/participations/{item}"))
    assert dokeos.snapshot().participations == {("T-0", "u0")}
    dokeos.run_jobs()
    assert dokeos.snapshot().participations == frozenset()
    assert dokeos_client.get(f"/participations/{item}").status_code == 404


def test_set_participation_keeps_what_it_is_not_given(dokeos: DokeosSimulator) -> None:
    (user,), (training,) = people(dokeos, 1), catalog(dokeos, 1)
    item = dokeos.seed_participation(user, training, status="completed", score=70)
    dokeos.set_participation(item, completed_at="2024-01-02T03:04:05Z")
    dokeos.set_participation(item, score=None)
    [row] = dokeos.dump_state()["participations"]
    assert (row["status"], row["score"], row["completed_at"]) == (
        "completed",
        None,
        "2024-01-02T03:04:05Z",
    )
    dokeos.set_participation(item, status="in_progress")
    assert dokeos.dump_state()["participations"][0]["completed_at"] is None


@pytest.mark.parametrize(
    "seed",
    [
        lambda sim: sim.seed_participation(1, 99),
        lambda sim: sim.seed_participation(99, 1),
        lambda sim: sim.seed_participation(1, 1, status="passed"),
        lambda sim: sim.set_participation(99, status="completed"),
    ],
)
def test_seeding_participations_checks_its_arguments(dokeos: DokeosSimulator, seed: Any) -> None:
    people(dokeos, 1)
    catalog(dokeos, 1)
    with pytest.raises(ValueError, match=r"no |unknown status"):
        seed(dokeos)
