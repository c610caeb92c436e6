"""A learner's progress on the Dokeos simulator (docs/lms/dokeos.md, participations):
the enrollment date, a module's status, score and completion date in `progressions`
(still only when asked for), and the `set_progress` test hook."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import DokeosSimulator
from syncd.sandbox.core import ManualClock

Json = dict[str, Any]
ENROLLED = "2023-11-14T22:13:20Z"  # the sandbox ManualClock's start
AN_HOUR_LATER = "2023-11-14T23:13:20Z"
WITH_PROGRESSIONS = {"response_attributes": "progressions"}


def pair(sim: DokeosSimulator) -> tuple[int, int]:
    """A user and a training the user participates in (seeded at the clock's start)."""
    user = sim.seed_user("ann", "ann@example.com", "Ann", "Lee")
    training = sim.seed_training("SEC-101", "Security")
    sim.seed_participation(user, training)
    return user, training


def participation(client: httpx.Client, **params: str) -> Json:
    response = client.get("/participations", params=params)
    assert response.status_code == 200, response.text
    [item] = response.json()["data"]
    return dict(item)


def test_created_at_is_the_enrollment_date_and_stays(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user, training = pair(dokeos)
    clock.advance(3600)
    dokeos.set_progress(user, training, status="completed", score=90)
    assert participation(dokeos_client)["created_at"] == ENROLLED


def test_a_completed_module_carries_its_score_and_completion_date(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user, training = pair(dokeos)
    clock.advance(3600)
    dokeos.set_progress(user, training, status="completed", score=87.5)
    item = participation(dokeos_client, **WITH_PROGRESSIONS)
    assert (item["status"], item["score"], item["completed_at"]) == (
        "completed",
        87.5,
        AN_HOUR_LATER,
    )
    assert item["progressions"] == [
        {
            "module_id": training,
            "status": "completed",
            "progress": 100,
            "score": 87.5,
            "completed_at": AN_HOUR_LATER,
        }
    ]


def test_an_in_progress_module_has_no_completion_date(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user, training = pair(dokeos)
    dokeos.set_progress(user, training, status="in_progress", score=40)
    [module] = participation(dokeos_client, **WITH_PROGRESSIONS)["progressions"]
    assert (module["status"], module["progress"], module["score"], module["completed_at"]) == (
        "in_progress",
        50,
        40,
        None,
    )


def test_a_given_completion_date_is_kept(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user, training = pair(dokeos)
    dokeos.set_progress(user, training, status="completed", completed_at="2024-03-01T08:30:00Z")
    item = participation(dokeos_client, **WITH_PROGRESSIONS)
    assert item["completed_at"] == "2024-03-01T08:30:00Z"
    assert item["progressions"][0]["completed_at"] == "2024-03-01T08:30:00Z"


def test_a_completion_is_not_restamped_by_a_later_completion(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user, training = pair(dokeos)
    clock.advance(3600)
    dokeos.set_progress(user, training, status="completed", score=70)
    clock.advance(3600)
    dokeos.set_progress(user, training, status="completed", score=95)
    item = participation(dokeos_client)
    assert (item["score"], item["completed_at"]) == (95, AN_HOUR_LATER)


def test_progressions_stay_out_unless_asked_for(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user, training = pair(dokeos)
    dokeos.set_progress(user, training, status="completed", score=100)
    assert "progressions" not in participation(dokeos_client)
    assert "progressions" in participation(dokeos_client, **WITH_PROGRESSIONS)


def test_set_progress_needs_a_participation_and_a_known_status(dokeos: DokeosSimulator) -> None:
    user, training = pair(dokeos)
    other = dokeos.seed_training("GDPR-201", "GDPR")
    with pytest.raises(ValueError, match="no participation"):
        dokeos.set_progress(user, other, status="completed")
    with pytest.raises(ValueError, match="unknown status"):
        dokeos.set_progress(user, training, status="passed")


def test_progress_survives_a_dump_and_load(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client, clock: ManualClock
) -> None:
    user, training = pair(dokeos)
    dokeos.set_progress(user, training, status="failed", score=35)
    copy = DokeosSimulator(clock=clock)
    copy.load_state(dokeos.dump_state())
    with httpx.Client(transport=copy.transport(), base_url="https://sandbox.dokeos.test") as other:
        other.headers.update(dokeos_client.headers)
        assert participation(other, **WITH_PROGRESSIONS) == participation(
            dokeos_client, **WITH_PROGRESSIONS
        )


def test_leaving_completed_clears_the_completion_date(
    dokeos: DokeosSimulator, dokeos_client: httpx.Client
) -> None:
    user, training = pair(dokeos)
    dokeos.set_progress(user, training, status="completed", score=60)
    dokeos.set_progress(user, training, status="failed", score=30)
    item = participation(dokeos_client, **WITH_PROGRESSIONS)
    assert (item["completed_at"], item["progressions"][0]["completed_at"]) == (None, None)
