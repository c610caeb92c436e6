"""Dokeos trainings and participations.

Participations leave out `progressions` unless `response_attributes` asks
for it (list and single); the `training_ids` and `user_ids` filters take at
most 5 ids each. A participation carries its enrollment date (`created_at`),
status, score and completion date; each module of `progressions` carries its
own status, progress, score and completion date (unverified shapes, decided in
docs/lms/dokeos.md). Creating and deleting a participation are 202 jobs; a
creation for a pair that already participates settles done without a second.
"""

from __future__ import annotations

from functools import partial

from syncd.sandbox.dokeos.forms import Form
from syncd.sandbox.dokeos.jobs import accepted
from syncd.sandbox.dokeos.lists import id_filter, page_of, path_record, response_attributes
from syncd.sandbox.dokeos.records import (
    PARTICIPATION_ATTRIBUTES,
    CreateParticipation,
    DeleteParticipation,
    Participation,
    Training,
)
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.messages import Request, Response, json_response

# Each training has one module (its `module_id` is the training's id), so the
# module's status, score and completion date are the participation's and its
# progress follows the status.
PROGRESS = {"not_started": 0, "in_progress": 50, "completed": 100, "failed": 100}


def render_training(training: Training) -> dict[str, object]:
    return {"id": training.id, "code": training.code, "name": training.name}


def render_participation(extra: frozenset[str], item: Participation) -> dict[str, object]:
    rendered: dict[str, object] = {
        "id": item.id,
        "user_id": item.user_id,
        "training_id": item.training_id,
        "status": item.status,
        "score": item.score,
        "created_at": item.created_at,
        "completed_at": item.completed_at,
    }
    if "progressions" in extra:
        rendered["progressions"] = [render_module(item)]
    return rendered


def render_module(item: Participation) -> dict[str, object]:
    """The one module of `item`'s training, as `progressions` lists it."""
    return {
        "module_id": item.training_id,
        "status": item.status,
        "progress": PROGRESS[item.status],
        "score": item.score,
        "completed_at": item.completed_at,
    }


def list_trainings(state: DokeosState, request: Request) -> Response:
    """GET /trainings."""
    return page_of(state, request, list(state.trainings.values()), render_training)


def get_training(state: DokeosState, request: Request) -> Response:
    """GET /trainings/{id}."""
    training = path_record(state.trainings, request, "Training")
    return json_response({"data": render_training(training)})


def list_participations(state: DokeosState, request: Request) -> Response:
    """GET /participations, filtered by `training_ids` and `user_ids` (5 ids each at most)."""
    extra = response_attributes(request, PARTICIPATION_ATTRIBUTES)
    trainings, users = id_filter(request, "training_ids"), id_filter(request, "user_ids")
    found = [
        item
        for item in state.participations.values()
        if (trainings is None or item.training_id in trainings)
        and (users is None or item.user_id in users)
    ]
    return page_of(state, request, found, partial(render_participation, extra))


def get_participation(state: DokeosState, request: Request) -> Response:
    """GET /participations/{id}."""
    item = path_record(state.participations, request, "Participation")
    extra = response_attributes(request, PARTICIPATION_ATTRIBUTES)
    return json_response({"data": render_participation(extra, item)})


def create_participation(state: DokeosState, request: Request) -> Response:
    """POST /participations: {"user_id", "training_id"} -> 202 job."""
    form = Form(request, ("user_id", "training_id"))
    work = CreateParticipation(form.id_value("user_id"), form.id_value("training_id"))
    form.check()
    return accepted(state, work)


def delete_participation(state: DokeosState, request: Request) -> Response:
    """DELETE /participations/{id} -> 202 job."""
    item = path_record(state.participations, request, "Participation")
    return accepted(state, DeleteParticipation(item.id))
