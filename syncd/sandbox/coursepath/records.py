"""The records the Coursepath simulator keeps, and its comparable snapshot.

Frozen values: the state replaces a record to change it. An `Enrollment`
carries the date the learner was enrolled and her result in the course (both
deleted with it). A sent
invitation is an `Invitation`. `CoursepathSnapshot` is the plain view tests
compare, keyed by emails, course and program codes and group names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The optional text fields of a member, by their wire names (seed's filters).
PROFILE_FIELDS = (
    "company",
    "department",
    "country",
    "externalId",
    "association",
    "identification",
    "registration",
)


@dataclass(frozen=True, slots=True)
class Member:
    """A member; `profile` holds the set `PROFILE_FIELDS` (unset ones are absent)."""

    id: int
    email: str
    name: str
    profile: Mapping[str, str]
    active: bool = True

    def field(self, name: str) -> str | None:
        return self.profile.get(name)


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Program:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A learner in a course, with their result (all None until set).

    Dates are ISO 8601 text in UTC, as Coursepath prints them. `enrolled` is set by
    the state's clock on enrollment; None only in a dump written before it was kept.
    """

    course_id: int
    member_id: int
    score: float | None = None
    success: bool | None = None
    completed: str | None = None
    enrolled: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    member_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Invitation:
    """A sent invitation: scope "academy", "course" or "program" (with its code)."""

    email: str
    scope: str
    code: str | None
    subject: str | None
    body: str | None
    action: str | None
    sent_at: str


MemberView = tuple[str, bool, tuple[tuple[str, str], ...]]
ResultView = tuple[str, str, float | None, bool | None, str | None]


@dataclass(frozen=True, slots=True)
class CoursepathSnapshot:
    """The simulator's state as plain, comparable values.

    members: email -> (name, active, sorted profile items); courses and
    programs: code -> name; enrollments: (course code, email, score,
    success, completed); program_members: (program code, email); groups:
    group name -> emails of its members.
    """

    members: Mapping[str, MemberView]
    courses: Mapping[str, str]
    programs: Mapping[str, str]
    enrollments: frozenset[ResultView]
    program_members: frozenset[tuple[str, str]]
    groups: Mapping[str, frozenset[str]]
