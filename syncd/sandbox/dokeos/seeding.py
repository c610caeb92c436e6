"""Out-of-band edits of a Dokeos state, for tests and the sandbox catalog.

Each helper checks what it is given (ValueError, never an HTTP answer) and
writes the state directly, with no job: what a Dokeos administrator does in
the platform's own UI. The simulator calls them under its lock.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import TypeVar

from syncd.sandbox.dokeos.records import PARTICIPATION_STATUSES, Group, Training, User
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.dokeos.work import new_participation

T = TypeVar("T")


class Keep(Enum):
    """The default of a `set_participation` field that stays as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def seed_user(state: DokeosState, user: User) -> int:
    """Add `user` under a fresh id; its username, email and external id must be free."""
    _require(state.user_named(user.username) is None, f"username in use: {user.username}")
    _require(state.user_with_email(user.email) is None, f"email in use: {user.email}")
    holder = None if user.external_id is None else state.user_with_external_id(user.external_id)
    _require(holder is None, f"external_id in use: {user.external_id}")
    user = replace(user, id=state.next_id("user"))
    state.put_user(user)
    return user.id


def seed_group(state: DokeosState, name: str, code: str | None) -> int:
    _require(code is None or state.group_with_code(code) is None, f"group code in use: {code}")
    group = Group(state.next_id("group"), name, code, "")
    state.put_group(group)
    return group.id


def seed_training(state: DokeosState, code: str, name: str) -> int:
    taken = any(training.code == code for training in state.trainings.values())
    _require(not taken, f"training code in use: {code}")
    training = Training(state.next_id("training"), code, name)
    state.put_training(training)
    return training.id


def add_learner(state: DokeosState, group_id: int, user_id: int) -> None:
    group = _known(state.groups, group_id, "group")
    _require(user_id in state.users, f"no user {user_id}")
    state.put_group(replace(group, learner_ids=group.learner_ids | {user_id}))


def seed_participation(
    state: DokeosState, user_id: int, training_id: int, status: str, score: float | None
) -> int:
    _require(user_id in state.users, f"no user {user_id}")
    _require(training_id in state.trainings, f"no training {training_id}")
    _require(state.participation_of(user_id, training_id) is None, "already participating")
    item = new_participation(state, user_id, training_id, state.clock())
    state.put_participation(item)
    set_participation(state, item.id, status, score, KEEP)
    return item.id


def set_participation(
    state: DokeosState,
    participation_id: int,
    status: str | None,
    score: float | Keep | None,
    completed_at: str | Keep | None,
) -> None:
    """Change a participation; `completed_at` follows the status unless given."""
    item = _known(state.participations, participation_id, "participation")
    _require(status is None or status in PARTICIPATION_STATUSES, f"unknown status {status}")
    status = item.status if status is None else status
    if completed_at is KEEP:
        done = item.completed_at or state.now_text()
        completed_at = done if status == "completed" else None
    score = item.score if score is KEEP else score
    state.put_participation(replace(item, status=status, score=score, completed_at=completed_at))


def set_progress(
    state: DokeosState,
    user_id: int,
    training_id: int,
    *,
    status: str,
    score: float | None,
    completed_at: str | None,
) -> None:
    """What a learner's work in the training leaves on their participation: `status` and
    `score` as given; `completed_at` as given, else stamped now on completion (and kept
    when it was completed already), else none."""
    item = state.participation_of(user_id, training_id)
    if item is None:
        raise ValueError(f"user {user_id} has no participation in training {training_id}")
    completion: str | Keep | None = KEEP if completed_at is None else completed_at
    set_participation(state, item.id, status, score, completion)


def _known(table: dict[int, T], key: int, kind: str) -> T:
    found = table.get(key)
    if found is None:
        raise ValueError(f"no {kind} {key}")
    return found


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
