"""What the Dokeos simulator records that the platform does on its own (docs/lms/dokeos.md,
"Side effects"): nothing. Dokeos's announcement (seeds 001/002), the only public source,
names no email, licence seat or deleted result, so every write it serves (a user created,
updated and deleted, group learners and managers added and removed, participations made and
deleted) records none."""

from __future__ import annotations

import httpx

from syncd.sandbox import DokeosSimulator


def test_no_write_makes_dokeos_do_anything_on_its_own(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    training = dokeos.seed_training("SEC-101", "Security")
    body = {"username": "ann", "email": "ann@acme.example", "firstname": "A", "lastname": "N"}
    created = dokeos_client.post("/users", json=body)
    assert created.status_code == 201, created.text
    ann = created.json()["data"]["id"]
    assert dokeos_client.put(f"/users/{ann}", json={"active": False}).status_code == 200
    group = dokeos_client.post("/groups", json={"name": "Sales", "code": "SAL"})
    sales = group.json()["data"]["id"]
    joins = {"add_learner_ids": [ann], "add_manager_ids": [ann]}
    assert dokeos_client.put(f"/groups/{sales}", json=joins).status_code == 202
    made = dokeos_client.post("/participations", json={"user_id": ann, "training_id": training})
    assert made.status_code == 202
    dokeos.run_jobs()
    [participation] = dokeos_client.get("/participations").json()["data"]
    assert dokeos_client.delete(f"/participations/{participation['id']}").status_code == 202
    leaves = {"remove_learner_ids": [ann], "remove_manager_ids": [ann]}
    assert dokeos_client.put(f"/groups/{sales}", json=leaves).status_code == 202
    assert dokeos_client.delete(f"/user/{ann}").status_code == 202
    dokeos.run_jobs()
    assert dokeos.snapshot().users == {}
    assert dokeos.side_effects() == {}
