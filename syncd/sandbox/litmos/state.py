"""The Litmos simulator's state: users, teams, courses, memberships, assignments, the
achievements (completion records) completions leave, the emails it "sent" and the user
imports (`/bulkimports`) with their schedule.

Records are frozen dataclasses replaced on change; a user keeps its whole profile (every
writable field by its Litmos name, see profile.py). Ids are Litmos-like 12-character
strings drawn deterministically from a counter, or given by seeding. Handlers and
seeding helpers call it under the app lock; `snapshot` keys by natural names.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from syncd.sandbox.faults import Clock
from syncd.sandbox.litmos import words
from syncd.sandbox.messages import HttpError


@dataclass(frozen=True, slots=True)
class User:
    """A user: ids, creation time and the whole profile (Litmos field names)."""

    id: str
    original_id: int
    created_at: float
    profile: dict[str, Any]

    @property
    def username(self) -> str:
        return str(self.profile["UserName"])

    @property
    def first(self) -> str:
        return str(self.profile["FirstName"])

    @property
    def last(self) -> str:
        return str(self.profile["LastName"])

    @property
    def email(self) -> str:
        return str(self.profile["Email"])

    @property
    def active(self) -> bool:
        return bool(self.profile["Active"])

    @property
    def access_level(self) -> str:
        return str(self.profile["AccessLevel"])


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
class SentMessage:
    """An email the simulator "sent": `kind` "course" (an assignment, with its course) or
    "login" (a login email, course None)."""

    kind: str
    user_id: str
    course_id: str | None = None


# What each kind of email is among the effects a plan declares (syncd.connectors.base.Effect's
# values: the simulator names them by string, as it imports nothing of the connectors).
EFFECT_OF_MESSAGE = {"login": "welcome_email", "course": "assignment_email"}


def effect_totals(sent: list[SentMessage]) -> dict[str, int]:
    """The emails sent, totalled by effect; only effects that happened."""
    totals: dict[str, int] = {}
    for message in sent:
        effect = EFFECT_OF_MESSAGE[message.kind]
        totals[effect] = totals.get(effect, 0) + 1
    return totals


@dataclass(slots=True)
class BulkImport:
    """One user import: its rows as sent, its flags, its schedule and, once done, results."""

    id: str
    created_at: float
    rows: list[dict[str, Any]]
    send_message: bool | None  # the `sendmessage` flag as sent (None: absent)
    skip_first_login: bool
    processing_at: float
    completes_at: float
    done: bool = False
    created: int = 0
    duplicate: int = 0
    invalid_email: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (Username, ImporStatus)

    def status(self, now: float) -> str:
        if self.done:
            return "Completed"
        return "Processing" if now >= self.processing_at else "Pending"


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
    rate_message: str
    job_roles: frozenset[str] = frozenset()
    users: dict[str, User] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    members: set[tuple[str, str]] = field(default_factory=set)
    assignments: dict[tuple[str, str], Assignment] = field(default_factory=dict)
    achievements: list[Achievement] = field(default_factory=list)
    counter: int = 0
    achievement_counter: int = 0
    calls: dict[str, deque[float]] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    imports: dict[str, BulkImport] = field(default_factory=dict)
    import_counter: int = 0
    import_queue: float = 0.0  # seconds an import waits `Pending` (tests set a delay)
    import_per_row: float = 0.0  # seconds of `Processing` per row

    def next_id(self, wanted: str | None = None) -> tuple[str, int]:
        """A fresh (encrypted-looking id, original numeric id) pair; `wanted` (seeding
        with a capture's own id) replaces the drawn id and must be free."""
        if wanted is not None and (not wanted or self.id_taken(wanted)):
            raise ValueError(f"id {wanted!r} is empty or already in use")
        self.counter += 1
        digest = hashlib.sha256(f"litmos-{self.counter}".encode()).digest()
        drawn = base64.urlsafe_b64encode(digest).decode()[:11] + "1"
        return wanted or drawn, 5_000_000 + self.counter

    def id_taken(self, record_id: str) -> bool:
        return record_id in self.users or record_id in self.teams or record_id in self.courses

    def next_achievement_id(self) -> str:
        """An id for the next achievement, drawn apart from `counter` so that recording
        completions never shifts the ids of users, teams and courses seeded later."""
        self.achievement_counter += 1
        digest = hashlib.sha256(f"litmos-achievement-{self.achievement_counter}".encode())
        return base64.urlsafe_b64encode(digest.digest()).decode()[:11] + "2"

    def next_import_id(self) -> str:
        """An id for the next bulk import, drawn apart from `counter` (as achievements)."""
        self.import_counter += 1
        digest = hashlib.sha256(f"litmos-import-{self.import_counter}".encode())
        return base64.urlsafe_b64encode(digest.digest()).decode()[:11] + "3"

    def user(self, user_id: str, missing: str = words.NO_USER) -> User:
        if user_id not in self.users:
            raise HttpError(404, missing)
        return self.users[user_id]

    def team(self, team_id: str, missing: str = words.NO_TEAM) -> Team:
        if team_id not in self.teams:
            raise HttpError(404, missing)
        return self.teams[team_id]

    def course(self, course_id: str) -> Course:
        if course_id not in self.courses:
            raise HttpError(404, words.NO_COURSE)
        return self.courses[course_id]

    def username_taken(self, username: str, but: str = "") -> bool:
        wanted = username.casefold()
        return any(u.username.casefold() == wanted and u.id != but for u in self.users.values())

    def team_name_taken(self, name: str) -> bool:
        return any(t.name.casefold() == name.casefold() for t in self.teams.values())

    def forget_user(self, user_id: str) -> None:
        """Hard delete (spec): the user, their memberships, assignments and achievements;
        users they managed keep no ManagerId (decided)."""
        del self.users[user_id]
        self.members = {m for m in self.members if m[1] != user_id}
        self.assignments = {k: a for k, a in self.assignments.items() if k[0] != user_id}
        self.achievements = [a for a in self.achievements if a.user_id != user_id]
        for other in list(self.users.values()):
            if other.profile["ManagerId"] == user_id:
                self.users[other.id] = replace(other, profile={**other.profile, "ManagerId": ""})


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
