"""The Litmos simulator's state: users, teams, courses, memberships, assignments and
the achievements (completion records) completions leave.

Records are frozen dataclasses replaced on change; ids are Litmos-like
12-character strings drawn deterministically from a counter. Handlers and
seeding helpers call it under the app lock; `snapshot` keys by natural names.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections import deque
from dataclasses import dataclass, field

from syncd.sandbox.faults import Clock
from syncd.sandbox.messages import HttpError


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    first: str
    last: str
    email: str
    active: bool
    access_level: str
    original_id: int
    created_at: float


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    description: str
    parent_id: str
    original_id: int


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    code: str
    name: str
    original_id: int


@dataclass(frozen=True, slots=True)
class Assignment:
    user_id: str
    course_id: str
    assigned_at: float
    updated_at: float
    complete: bool = False
    percentage: int = 0
    score: float | None = None
    completed_at: float | None = None


@dataclass(frozen=True, slots=True)
class Achievement:
    """One completion of a course, as `GET /achievements` lists it. A completion records
    one; a later completion of the same course (a retake) records another."""

    id: str
    user_id: str
    course_id: str
    achieved_at: float
    score: float | None = None


@dataclass(frozen=True, slots=True)
class LitmosSnapshot:
    """What a platform holds, by natural keys: comparable across runs."""

    users: tuple[tuple[str, str, str, str, bool], ...]
    teams: tuple[tuple[str, str | None], ...]
    members: tuple[tuple[str, str], ...]
    assignments: tuple[tuple[str, str, bool, float | None], ...]


@dataclass(slots=True)
class LitmosState:
    clock: Clock
    rate_limit: int
    rate_window: float
    users: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    members: set[tuple[str, str]] = field(default_factory=set)
    assignments: dict[tuple[str, str], Assignment] = field(default_factory=dict)
    achievements: list[Achievement] = field(default_factory=list)
    counter: int = 0
    achievement_counter: int = 0
    calls: dict[str, deque[float]] = field(default_factory=dict)

    def next_id(self) -> tuple[str, int]:
        """A fresh (encrypted-looking id, original numeric id) pair."""
        self.counter += 1
        digest = hashlib.sha256(f"litmos-{self.counter}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()[:11] + "1", 5_000_000 + self.counter

    def next_achievement_id(self) -> str:
        """An id for the next achievement, drawn apart from `counter` so that recording
        completions never shifts the ids of users, teams and courses seeded later."""
        self.achievement_counter += 1
        digest = hashlib.sha256(f"litmos-achievement-{self.achievement_counter}".encode())
        return base64.urlsafe_b64encode(digest.digest()).decode()[:11] + "2"

    def user(self, user_id: str) -> User:
        if user_id not in self.users:
            raise HttpError(404, "User not found")
        return self.users[user_id]

    def team(self, team_id: str) -> Team:
        if team_id not in self.teams:
            raise HttpError(404, "Team not found")
        return self.teams[team_id]

    def course(self, course_id: str) -> Course:
        if course_id not in self.courses:
            raise HttpError(404, "Course not found")
        return self.courses[course_id]

    def username_taken(self, username: str, but: str = "") -> bool:
        wanted = username.casefold()
        return any(u.username.casefold() == wanted and u.id != but for u in self.users.values())

    def team_name_taken(self, name: str) -> bool:
        return any(t.name.casefold() == name.casefold() for t in self.teams.values())

    def forget_user(self, user_id: str) -> None:
        del self.users[user_id]
        self.members = {m for m in self.members if m[1] != user_id}
        self.assignments = {k: a for k, a in self.assignments.items() if k[0] != user_id}
        self.achievements = [a for a in self.achievements if a.user_id != user_id]


def utc_text(moment: float) -> str:
    """A Litmos JSON datetime, as the captures show it: `2016-12-20T15:24:16Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def snapshot(state: LitmosState) -> LitmosSnapshot:
    users, teams = state.users, state.teams
    return LitmosSnapshot(
        users=tuple(
            sorted((u.username, u.first, u.last, u.email, u.active) for u in users.values())
        ),
        teams=tuple(
            sorted(
                (
                    (t.name, teams[t.parent_id].name if t.parent_id else None)
                    for t in teams.values()
                ),
                key=lambda pair: (pair[0], pair[1] or ""),
            )
        ),
        members=tuple(sorted((teams[t].name, users[u].username) for t, u in state.members)),
        assignments=tuple(
            sorted(
                (users[a.user_id].username, state.courses[a.course_id].code, a.complete, a.score)
                for a in state.assignments.values()
            )
        ),
    )
