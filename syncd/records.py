"""The normalized records every room of syncd speaks.

HR side: Person, OrgUnit, Group, Membership, Enrollment (what HR wants).
LMS side: RemoteUser, RemoteGroup, RemoteMembership, RemoteEnrollment,
RemoteCourse (what a connector read from one LMS, in that LMS's ids).
All are frozen, slotted values; LMS JSON never travels further than its connector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

EmployeeId = NewType("EmployeeId", str)
OrgUnitCode = NewType("OrgUnitCode", str)
GroupCode = NewType("GroupCode", str)
CourseCode = NewType("CourseCode", str)
RemoteId = NewType("RemoteId", str)
TargetName = NewType("TargetName", str)


class GroupKind(StrEnum):
    """HR org units (a tree) and config groups (rules over attributes) both become LMS groups."""

    ORG_UNIT = "org_unit"
    GROUP = "group"


class LinkKind(StrEnum):
    """What a row of the links table maps: an HR key to one target's remote id."""

    USER = "user"
    ORG_UNIT = "org_unit"
    GROUP = "group"
    MEMBERSHIP = "membership"
    ENROLLMENT = "enrollment"

    @classmethod
    def of_group(cls, kind: GroupKind) -> LinkKind:
        return cls.ORG_UNIT if kind is GroupKind.ORG_UNIT else cls.GROUP


@dataclass(frozen=True, slots=True, order=True)
class GroupRef:
    """Which HR group: an org unit code or a config group code."""

    kind: GroupKind
    code: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.code}"


@dataclass(frozen=True, slots=True)
class Person:
    """One person as HR describes them. `attributes` holds every extra HR column. A person
    on leave is inactive and `on_leave`: their account is deactivated, never deleted."""

    employee_id: EmployeeId
    email: str
    first_name: str
    last_name: str
    username: str
    active: bool = True
    org_unit: OrgUnitCode | None = None
    manager_id: EmployeeId | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    on_leave: bool = False

    def attribute(self, name: str) -> str | None:
        """A standard field or an extra HR column by name, as text."""
        standard = {
            "employee_id": self.employee_id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "status": "active" if self.active else "inactive",
            "org_unit": self.org_unit,
            "manager_id": self.manager_id,
        }
        if name in standard:
            return standard[name]
        return dict(self.attributes).get(name)


@dataclass(frozen=True, slots=True)
class Tenure:
    """When HR says a person works: the first and last day (either may be open), the
    person's own IANA time zone (None: `hr.default_timezone`), and whether they are on
    leave. Dates are days in that zone: a person starts at 00:00 of `start_date` and
    leaves at the end of `end_date` (00:00 of the day after), there."""

    employee_id: EmployeeId
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    timezone: str | None = None
    on_leave: bool = False


@dataclass(frozen=True, slots=True)
class Timeline:
    """A tenure as moments (UTC) for the LMSs: the person's account exists from
    `appears_at` (their start less `hr.create_before_start`; None: from always) and is
    deactivated from `ends_at` (the end of their last day; None: never). `zone` is the
    time zone the dates were read in."""

    tenure: Tenure
    zone: str
    appears_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class OrgUnit:
    code: OrgUnitCode
    name: str
    parent_code: OrgUnitCode | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A group HR wants in each LMS: an org unit (with its parent) or a config group."""

    ref: GroupRef
    name: str
    parent: GroupRef | None = None


class MemberRole(StrEnum):
    """How a person belongs to a group: as a learner, or as a manager who follows its learners."""

    LEARNER = "learner"
    MANAGER = "manager"


@dataclass(frozen=True, slots=True, order=True)
class Membership:
    group: GroupRef
    employee_id: EmployeeId
    role: MemberRole = MemberRole.LEARNER


@dataclass(frozen=True, slots=True)
class Enrollment:
    employee_id: EmployeeId
    course_code: CourseCode
    due_date: dt.date | None = None


# --- what a connector reads from an LMS -------------------------------------------------


@dataclass(frozen=True, slots=True)
class RemoteUser:
    remote_id: RemoteId
    username: str
    email: str
    first_name: str
    last_name: str
    active: bool
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteGroup:
    """An LMS group; `code` is None where the LMS keys groups by name only."""

    remote_id: RemoteId
    kind: GroupKind
    name: str
    code: str | None = None
    parent_remote_id: RemoteId | None = None


@dataclass(frozen=True, slots=True)
class RemoteMembership:
    group_kind: GroupKind
    group_remote_id: RemoteId
    user_remote_id: RemoteId
    role: MemberRole = MemberRole.LEARNER


@dataclass(frozen=True, slots=True)
class RemoteCourse:
    remote_id: RemoteId
    code: str
    name: str


class EnrollmentStatus(StrEnum):
    """An enrollment's state in every LMS's words, as HR reads it (the contract's statuses)."""

    ENROLLED = "enrolled"  # not started: the only state syncd may remove
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Progress:
    """What an LMS says a learner did in a course. LMS-owned: read back, never written.

    Times are timezone-aware UTC; `score` as the LMS gives it (most give 0-100);
    `raw_status` is the LMS's own word or number for the state, kept for reference.
    """

    enrolled_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    score: float | None = None
    raw_status: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteEnrollment:
    """A learner's enrollment in a course; `progress` where the read carried it."""

    course_remote_id: RemoteId
    user_remote_id: RemoteId
    status: EnrollmentStatus
    progress: Progress | None = None


RemoteRecord = RemoteUser | RemoteGroup | RemoteMembership | RemoteCourse | RemoteEnrollment


class RemotePart(StrEnum):
    """The parts of a target a fetch reads; each can be read whole, or not, on its own."""

    USERS = "users"
    GROUPS = "groups"
    MEMBERSHIPS = "memberships"
    COURSES = "courses"
    ENROLLMENTS = "enrollments"


@dataclass(frozen=True, slots=True)
class PartRead:
    """What a connector's fetch yields once it has yielded every record of `part`: if the
    read breaks off later, that part still counts as read whole."""

    part: RemotePart


FetchItem = RemoteRecord | PartRead


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One row of the HR output: a person's state in one course on one target."""

    employee_id: EmployeeId
    target: str
    course_code: CourseCode
    status: EnrollmentStatus
    progress: Progress

    def columns(self) -> dict[str, object]:
        """Its values by column name, as `training_records` and the HR sinks hold them."""
        p = self.progress
        return {
            "target": self.target,
            "employee_id": self.employee_id,
            "course_code": self.course_code,
            "status": self.status.value,
            "enrolled_at": p.enrolled_at,
            "completed_at": p.completed_at,
            "score": p.score,
            "raw_status": p.raw_status,
        }


# --- whole states, as the diff sees them -------------------------------------------------


@dataclass(frozen=True, slots=True)
class DesiredState:
    """HR's wish after import and rules: the mirror."""

    people: Mapping[EmployeeId, Person]
    groups: Mapping[GroupRef, Group]
    memberships: frozenset[Membership]
    enrollments: Mapping[tuple[EmployeeId, CourseCode], Enrollment]


@dataclass(frozen=True, slots=True)
class RemoteState:
    """One target as last fetched: the shadow. `complete` is False when the fetch broke off;
    `parts_read` then names the parts it had read whole before it did."""

    users: tuple[RemoteUser, ...] = ()
    groups: tuple[RemoteGroup, ...] = ()
    memberships: tuple[RemoteMembership, ...] = ()
    courses: tuple[RemoteCourse, ...] = ()
    enrollments: tuple[RemoteEnrollment, ...] = ()
    complete: bool = True
    parts_read: frozenset[RemotePart] = frozenset()

    def read_whole(self, part: RemotePart) -> bool:
        """Whether every record of `part` was read (so what is absent is absent)."""
        return self.complete or part in self.parts_read
