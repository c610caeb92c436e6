"""Seeding and out-of-band edits of the Litmos simulator's state (tests, the demo).

Records may be given their own ids (a capture's, for replay); user fields are named as
Litmos names them (`AccessLevel="Team_Leader"`, `CustomField3="CC-7"`) and checked
against the spec's writable fields, not against the API's rules: these are an admin's
edits, made behind the API. `user_record` shows a user as `GET /users/{userId}` does.
Called by the app under its lock.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.litmos import learning, render, teams, users
from syncd.sandbox.litmos.profile import edited, seeded
from syncd.sandbox.litmos.state import Course, LitmosState


def seed_user(
    state: LitmosState,
    names: tuple[str, str, str, str],
    user_id: str | None,
    fields: dict[str, object],
) -> str:
    """A user from (UserName, FirstName, LastName, Email) and more `fields`."""
    username, first, last, email = names
    profile = seeded(UserName=username, FirstName=first, LastName=last, Email=email, **fields)
    return users.add_user(state, profile, user_id).id


def seed_team(
    state: LitmosState, name: str, parent_id: str | None, description: str, team_id: str | None
) -> str:
    if parent_id is not None:
        state.team(parent_id)
    return teams.add_team(state, name, description, parent_id or "", team_id).id


def seed_course(state: LitmosState, code: str, name: str, course_id: str | None) -> str:
    new_id, original = state.next_id(course_id)
    state.courses[new_id] = Course(new_id, code, name, original)
    return new_id


def edit_user(state: LitmosState, user_id: str, fields: dict[str, object]) -> None:
    user = state.user(user_id)
    state.users[user.id] = replace(user, profile=edited(user.profile, fields))


def user_record(state: LitmosState, user_id: str) -> dict[str, object]:
    return render.user_full(state, state.user(user_id))


def assign_course(state: LitmosState, user_id: str, course_id: str) -> None:
    learning.assign(state, state.user(user_id).id, state.course(course_id).id)


def add_member(state: LitmosState, team_id: str, user_id: str) -> None:
    state.members.add((state.team(team_id).id, state.user(user_id).id))
