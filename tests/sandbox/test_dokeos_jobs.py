"""The job rules of docs/lms/dokeos.md against the Dokeos simulator on a manual
clock: every asynchronous endpoint answers 202 and waits for its job, the
status progression, failing jobs, the one-week lifetime, and the state's
dump and load with jobs in flight."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from syncd.sandbox import DokeosSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]
WEEK = 7 * 24 * 3600
Call = Callable[[httpx.Client], httpx.Response]

# Every asynchronous call, on a platform seeded by `seed` (user 1 "ann", user 2
# "bob", group 1 "SAL" with ann as learner, training 1 "SEC-101", ann's participation 1).
ASYNC_CALLS: dict[str, Call] = {
    "delete user": lambda c: c.delete("/user/1"),
    "put group members": lambda c: c.put("/groups/1", json={"add_learner_ids": [2]}),
    "post group members": lambda c: c.post(
        "/groups", json={"name": "Ops", "code": "OPS", "add_learner_ids": [2]}
    ),
    "post participation": lambda c: c.post(
        "/participations", json={"user_id": 2, "training_id": 1}
    ),
    "delete participation": lambda c: c.delete("/participations/1"),
    "training gate": lambda c: c.put("/training_gate/4", json={"open": True}),
    "presence sync all": lambda c: c.put("/presence_sessions/sync"),
    "presence sync one": lambda c: c.put("/presence_sessions/5/sync"),
    "webinar sync all": lambda c: c.put("/webinar_sessions/sync", json={}),
    "webinar sync one": lambda c: c.put("/webinar_sessions/6/sync"),
}


def seed(sim: DokeosSimulator) -> None:
    ann = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    sim.seed_user("bob", "bob@example.com", "Bob", "Ray")
    sim.add_learner(sim.seed_group("Sales", "SAL"), ann)
    sim.seed_participation(ann, sim.seed_training("SEC-101", "Security"))


def started(response: httpx.Response) -> str:
    assert response.status_code in (201, 202), response.text
    return str(response.json()["job_id"])


def job(client: httpx.Client, job_id: str) -> Json:
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


# -- every asynchronous endpoint -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(ASYNC_CALLS))
def test_every_async_endpoint_answers_a_job_and_waits_for_it(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, name: str
) -> None:
    seed(dokeos)
    dokeos.job_duration(60)
    response = ASYNC_CALLS[name](dokeos_client)
    job_id = started(response)
    assert response.json()["job_id"].startswith("job-")
    snapshot = dokeos.snapshot()
    assert (snapshot.learners, snapshot.participations) == ({("SAL", "ann")}, {("SEC-101", "ann")})
    assert "ann" in snapshot.users
    assert snapshot.pending_jobs == 1
    assert job(dokeos_client, job_id)["status"] == "queued"
    dokeos.advance(59)
    assert job(dokeos_client, job_id)["status"] == "running"
    assert dokeos.snapshot().learners == {("SAL", "ann")}
    dokeos.advance(1)
    assert job(dokeos_client, job_id)["status"] == "done"
    assert dokeos.snapshot().pending_jobs == 0


@pytest.mark.parametrize(
    ("name", "learners", "participations"),
    [
        ("delete user", set(), set()),
        ("put group members", {("SAL", "ann"), ("SAL", "bob")}, {("SEC-101", "ann")}),
        ("post group members", {("SAL", "ann"), ("OPS", "bob")}, {("SEC-101", "ann")}),
        ("post participation", {("SAL", "ann")}, {("SEC-101", "ann"), ("SEC-101", "bob")}),
        ("delete participation", {("SAL", "ann")}, set()),
        ("training gate", {("SAL", "ann")}, {("SEC-101", "ann")}),
    ],
)
def test_each_job_does_its_work_when_it_settles(
    dokeos: DokeosSimulator,
    dokeos_client: httpx.Client,
    name: str,
    learners: set[tuple[str, str]],
    participations: set[tuple[str, str]],
) -> None:
    seed(dokeos)
    started(ASYNC_CALLS[name](dokeos_client))
    assert dokeos.run_jobs() == 1
    snapshot = dokeos.snapshot()
    assert (snapshot.learners, snapshot.participations) == (learners, participations)


@pytest.mark.parametrize(
    "path", ["/training_gate/x", "/presence_sessions/x/sync", "/webinar_sessions/1.5/sync"]
)
def test_async_session_paths_need_integer_ids(dokeos_client: httpx.Client, path: str) -> None:
    assert dokeos_client.put(path).status_code == 400


# -- status progression on the clock -----------------------------------------------------


def test_a_job_is_queued_then_running_then_done(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.job_duration(30)
    job_id = started(dokeos_client.delete("/user/1"))
    queued = job(dokeos_client, job_id)
    assert queued == {
        "job_id": job_id,
        "status": "queued",
        "created_at": "2023-11-14T22:13:20Z",
        "finished_at": None,
        "error": None,
    }
    dokeos.advance(1)
    assert job(dokeos_client, job_id)["status"] == "running"
    dokeos.advance(28)
    assert job(dokeos_client, job_id)["status"] == "running"
    assert "ann" in dokeos.snapshot().users
    dokeos.advance(1)
    done = job(dokeos_client, job_id)
    assert (done["status"], done["finished_at"]) == ("done", "2023-11-14T22:13:50Z")
    assert "ann" not in dokeos.snapshot().users


def test_by_default_a_job_is_done_at_the_first_poll(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    answer = job(dokeos_client, started(dokeos_client.delete("/user/1")))
    assert (answer["status"], answer["finished_at"]) == ("done", answer["created_at"])


def test_any_request_settles_due_jobs(dokeos: DokeosSimulator, dokeos_client: httpx.Client) -> None:
    seed(dokeos)
    started(dokeos_client.delete("/user/1"))
    assert dokeos.snapshot().pending_jobs == 1
    dokeos_client.get("/trainings", headers={"Accept": "application/json"})
    assert dokeos.snapshot().pending_jobs == 0


def test_a_job_keeps_the_duration_set_when_it_was_created(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.job_duration(100)
    slow = started(dokeos_client.put("/groups/1", json={"add_learner_ids": [2]}))
    dokeos.job_duration(0)
    started(dokeos_client.delete("/user/2"))
    dokeos.advance(100)
    answer = job(dokeos_client, slow)
    assert (answer["status"], answer["error"]) == ("failed", "Users not found: 2")


def test_jobs_settle_in_due_order_not_creation_order(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.job_duration(50)
    started(dokeos_client.delete("/user/2"))
    dokeos.job_duration(10)
    started(dokeos_client.put("/groups/1", json={"add_learner_ids": [2]}))
    dokeos.advance(50)
    assert dokeos.run_jobs() == 2
    assert dokeos.snapshot().learners == {("SAL", "ann")}
    assert "bob" not in dokeos.snapshot().users


def test_run_jobs_settles_only_what_is_due(dokeos: DokeosSimulator, clock: ManualClock) -> None:
    seed(dokeos)
    dokeos.job_duration(10)
    with httpx.Client(
        transport=dokeos.transport(),
        base_url="https://acme.dokeos.test",
        headers={
            "Accept": "application/vnd.dokeos+json;version=2",
            "Authorization": "Bearer sandbox-dokeos-token",
        },
    ) as client:
        started(client.delete("/user/1"))
    assert dokeos.run_jobs() == 0
    clock.advance(10)
    assert (dokeos.run_jobs(), dokeos.run_jobs()) == (1, 0)


def test_an_unknown_job_is_404_job_not_found(dokeos_client: httpx.Client) -> None:
    response = dokeos_client.get("/jobs/job-404")
    assert response.status_code == 404
    assert response.json()["error"] == "job_not_found"


# -- failing jobs --------------------------------------------------------------------------


def test_fail_next_jobs_fails_n_jobs_with_the_error_and_changes_nothing(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.fail_next_jobs(2, "Internal error, please retry later")
    failed = [started(dokeos_client.delete(f"/user/{i}")) for i in (1, 2)]
    assert len(dokeos.snapshot().users) == 2
    answers = [job(dokeos_client, job_id) for job_id in failed]
    assert [(a["status"], a["error"]) for a in answers] == [
        ("failed", "Internal error, please retry later")
    ] * 2
    assert answers[0]["finished_at"] is not None
    assert set(dokeos.snapshot().users) == {"ann", "bob"}
    assert job(dokeos_client, started(dokeos_client.delete("/user/1")))["status"] == "done"
    assert set(dokeos.snapshot().users) == {"bob"}


def test_a_failing_job_is_running_until_it_is_due(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.job_duration(20)
    dokeos.fail_next_jobs(1, "Timeout")
    job_id = started(dokeos_client.delete("/participations/1"))
    dokeos.advance(10)
    assert job(dokeos_client, job_id)["status"] == "running"
    dokeos.advance(10)
    assert (job(dokeos_client, job_id)["status"], dokeos.snapshot().participations) == (
        "failed",
        {("SEC-101", "ann")},
    )


def test_clear_faults_forgets_the_jobs_queued_to_fail(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.fail_next_jobs(3, "No")
    dokeos.clear_faults()
    assert job(dokeos_client, started(dokeos_client.delete("/user/1")))["status"] == "done"


@pytest.mark.parametrize(
    "knob",
    [
        lambda sim: sim.fail_next_jobs(0, "x"),
        lambda sim: sim.fail_next_jobs(1, ""),
        lambda sim: sim.job_duration(-1),
    ],
)
def test_job_knobs_check_their_arguments(dokeos: DokeosSimulator, knob: Any) -> None:
    with pytest.raises(ValueError, match="job"):
        knob(dokeos)


# -- one week --------------------------------------------------------------------------------


def test_a_job_lives_seven_days_from_its_creation(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    job_id = started(dokeos_client.delete("/user/1"))
    dokeos.advance(WEEK - 1)
    assert job(dokeos_client, job_id)["status"] == "done"
    dokeos.advance(1)
    assert job(dokeos_client, job_id)["status"] == "done"
    dokeos.advance(1)
    response = dokeos_client.get(f"/jobs/{job_id}")
    assert (response.status_code, response.json()["error"]) == (404, "job_not_found")
    assert dokeos.dump_state()["jobs"] == []


def test_a_job_not_polled_for_a_week_still_did_its_work(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    seed(dokeos)
    dokeos.job_duration(60)
    job_id = started(dokeos_client.delete("/user/1"))
    dokeos.advance(WEEK + 1)
    assert dokeos_client.get(f"/jobs/{job_id}").status_code == 404
    assert "ann" not in dokeos.snapshot().users


# -- the clock ---------------------------------------------------------------------------


def test_advance_needs_a_clock_that_advances() -> None:
    with pytest.raises(TypeError, match="ManualClock"):
        DokeosSimulator().advance(1)


# -- state ----------------------------------------------------------------------------------


def test_dump_and_load_round_trip_through_json_with_jobs_in_flight(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    seed(dokeos)
    dokeos.set_participation(1, status="completed", score=99.5)
    dokeos.job_duration(30)
    dokeos.fail_next_jobs(1, "Boom")
    failing = started(dokeos_client.delete("/user/2"))
    pending = started(dokeos_client.put("/groups/1", json={"add_manager_ids": [2]}))
    copy = DokeosSimulator(clock=clock)
    copy.load_state(json.loads(json.dumps(dokeos.dump_state())))
    assert copy.dump_state() == dokeos.dump_state()
    assert copy.snapshot() == dokeos.snapshot()
    assert copy.snapshot().pending_jobs == 2
    clock.advance(30)
    assert copy.run_jobs() == 2
    headers = dokeos_client.headers
    with httpx.Client(transport=copy.transport(), base_url="https://x", headers=headers) as c:
        assert job(c, failing)["error"] == "Boom"
        assert job(c, pending)["status"] == "done"
        assert c.post("/groups", json={"name": "New"}).json()["data"]["id"] == 2
        assert started(c.delete("/user/1")) == "job-3"


def test_load_state_replaces_everything(dokeos: DokeosSimulator) -> None:
    seed(dokeos)
    empty = DokeosSimulator().dump_state()
    dokeos.load_state(empty)
    assert dokeos.dump_state() == empty
    assert dokeos.seed_user("zed", "zed@example.com", "Z", "Z") == 1


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(format=99),
        lambda d: d["jobs"].append(
            {"id": "job-9", "seq": 9, "work": {"kind": "Teleport"}, "created_at": 0, "due_at": 0}
        ),
    ],
)
def test_load_state_refuses_unknown_documents(dokeos: DokeosSimulator, breakage: Any) -> None:
    document = dokeos.dump_state()
    breakage(document)
    with pytest.raises(ValueError, match="unknown"):
        dokeos.load_state(document)


def test_the_snapshot_is_keyed_by_names_and_codes(dokeos: DokeosSimulator) -> None:
    seed(dokeos)
    snapshot = dokeos.snapshot()
    assert snapshot.users == {
        "ann": ("ann@example.com", "Ann", "Lee", True, None),
        "bob": ("bob@example.com", "Bob", "Ray", True, None),
    }
    assert (snapshot.groups, snapshot.learners, snapshot.participations) == (
        {"SAL": "Sales"},
        {("SAL", "ann")},
        {("SEC-101", "ann")},
    )
    with pytest.raises(AttributeError):
        snapshot.pending_jobs = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "seeding",
    [
        lambda sim: sim.seed_user("ANN", "new@example.com", "A", "L"),
        lambda sim: sim.seed_user("new", "Ann@Example.com", "A", "L"),
        lambda sim: sim.seed_user("new", "new@example.com", "A", "L", external_id="E-1"),
        lambda sim: sim.seed_group("Other", "sal"),
        lambda sim: sim.add_learner(99, 1),
        lambda sim: sim.add_learner(1, 99),
    ],
)
def test_seeding_refuses_what_the_api_would(dokeos: DokeosSimulator, seeding: Any) -> None:
    dokeos.seed_user("ann", "ann@example.com", "Ann", "Lee", external_id="E-1")
    dokeos.seed_group("Sales", "SAL")
    with pytest.raises(ValueError, match=r"in use|no "):
        seeding(dokeos)


def test_concurrent_calls_from_threads_keep_ids_unique(dokeos: DokeosSimulator) -> None:
    headers = {
        "Accept": "application/vnd.dokeos+json;version=2",
        "Authorization": "Bearer sandbox-dokeos-token",
    }
    ids: list[int] = []

    def create(n: int) -> None:
        with httpx.Client(transport=dokeos.transport(), base_url="https://x.test") as client:
            for i in range(10):
                body = {"username": f"t{n}-{i}", "email": f"t{n}-{i}@x.test"}
                body |= {"firstname": "T", "lastname": "T"}
                ids.append(client.post("/users", json=body, headers=headers).json()["data"]["id"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ids) == list(range(1, 41))
