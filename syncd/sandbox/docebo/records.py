"""The records the Docebo simulator keeps, and its comparable snapshot.

Frozen values: the state replaces a record to change it. `DoceboSnapshot`
is the plain view tests compare (keyed by usernames, codes and names, never
by the simulator's ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ApiEra = Literal["modern", "2017"]
MemberAnswer = Literal["ids", "success"]
API_ERAS: tuple[ApiEra, ...] = ("modern", "2017")
MEMBER_ANSWERS: tuple[MemberAnswer, ...] = ("ids", "success")

ENROLLMENT_STATUSES = frozenset({"subscribed", "in_progress", "completed"})
USER_LEVELS = frozenset({"user", "poweruser", "superadmin"})
ENROLLMENT_LEVELS = frozenset({3, 4, 6})
ROOT_ID = 0


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    level: str
    creation_date: str
    last_update: str


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch; `parent_id` is 0 for a branch directly under the root."""

    id: int
    code: str
    translations: tuple[tuple[str, str], ...]
    parent_id: int

    @property
    def title(self) -> str:
        """The English name, else the "all" name, else the first one."""
        names = dict(self.translations)
        for language in ("english", "all"):
            if names.get(language):
                return names[language]
        return self.translations[0][1] if self.translations else ""


@dataclass(frozen=True, slots=True)
class Bounds:
    """Nested-set bounds and depth of a branch (the root is lev 0)."""

    i_left: int
    i_right: int
    lev: int


@dataclass(frozen=True, slots=True)
class Group:
    group_id: int
    name: str
    description: str
    creation_date: str = ""
    last_update: str = ""


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A user in a course; the dates are Docebo's "YYYY-MM-DD HH:MM:SS" UTC text."""

    course_id: int
    user_id: int
    status: str
    level: int
    enroll_begin_date: str
    course_complete_date: str | None
    score: float | None


UserView = tuple[str, str, str, bool]


@dataclass(frozen=True, slots=True)
class DoceboSnapshot:
    """The simulator's state as plain, comparable values.

    users: username -> (email, first_name, last_name, active);
    branches: code -> (title, parent code or None); groups: name -> description;
    the member and enrollment sets hold (code or name, username) pairs.
    """

    users: Mapping[str, UserView]
    branches: Mapping[str, tuple[str, str | None]]
    branch_members: frozenset[tuple[str, str]]
    groups: Mapping[str, str]
    group_members: frozenset[tuple[str, str]]
    enrollments: frozenset[tuple[str, str]]
