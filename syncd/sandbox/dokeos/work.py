"""What each job does when it settles, all or nothing.

`perform` applies one `JobWork` value to the state and returns None, or
returns the error a failed job reports and changes nothing. Deletes of
something already gone succeed (the wanted end state holds); an unknown id
named in a body fails the job, naming it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from syncd.sandbox.dokeos.records import (
    ChangeMembers,
    CreateParticipation,
    DeleteParticipation,
    DeleteUser,
    JobWork,
    Participation,
    Unmodelled,
)
from syncd.sandbox.dokeos.state import DokeosState


def perform(state: DokeosState, work: JobWork, at: float) -> str | None:
    """Do `work` as at clock value `at`; the failure message if it cannot."""
    match work:
        case DeleteUser():
            if work.user_id in state.users:
                state.remove_user(work.user_id)
            return None
        case ChangeMembers():
            return _change_members(state, work)
        case CreateParticipation():
            return _create_participation(state, work, at)
        case DeleteParticipation():
            if work.participation_id in state.participations:
                state.remove_participation(work.participation_id)
            return None
        case Unmodelled():
            return None
        case _:
            assert_never(work)


def _change_members(state: DokeosState, work: ChangeMembers) -> str | None:
    group = state.groups.get(work.group_id)
    if group is None:
        return f"Group {work.group_id} not found"
    named = (
        *work.add_learner_ids,
        *work.remove_learner_ids,
        *work.add_manager_ids,
        *work.remove_manager_ids,
    )
    unknown = sorted({user_id for user_id in named if user_id not in state.users})
    if unknown:
        return f"Users not found: {', '.join(map(str, unknown))}"
    learners = (group.learner_ids | set(work.add_learner_ids)) - set(work.remove_learner_ids)
    managers = (group.manager_ids | set(work.add_manager_ids)) - set(work.remove_manager_ids)
    state.put_group(replace(group, learner_ids=learners, manager_ids=managers))
    return None


def _create_participation(state: DokeosState, work: CreateParticipation, at: float) -> str | None:
    problems = []
    if work.user_id not in state.users:
        problems.append(f"User {work.user_id} not found")
    if work.training_id not in state.trainings:
        problems.append(f"Training {work.training_id} not found")
    if problems:
        return "; ".join(problems)
    if state.participation_of(work.user_id, work.training_id) is None:
        state.put_participation(new_participation(state, work.user_id, work.training_id, at))
    return None


def new_participation(
    state: DokeosState, user_id: int, training_id: int, at: float
) -> Participation:
    """A fresh, not started participation created at clock value `at`."""
    participation_id = state.next_id("participation")
    created = state.text_at(at)
    return Participation(participation_id, user_id, training_id, "not_started", None, created, None)
