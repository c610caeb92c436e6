"""The Connector protocol: the one seam between the engine and an LMS.

A connector turns LMS pages into records (`fetch`) and batches of operations
into HTTP calls (`apply`), and declares what it can do (`Capabilities`). It
decides nothing: which operations to run, in which order and whether it is
safe are the engine's business. A fifth LMS is one package implementing this,
registered in `syncd.kinds` (docs/decisions/005-lms-kinds.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeAlias, runtime_checkable

import httpx

from syncd.operations import OpKind, Outcome
from syncd.records import GroupKind, GroupRef, MemberRole, RemoteEnrollment, RemoteId
from syncd.side_effects import Effect, SideEffects

if TYPE_CHECKING:
    from syncd.clock import Clock
    from syncd.config import TargetBase
    from syncd.operations import Operation
    from syncd.records import CourseCode, EmployeeId, FetchItem

__all__ = [
    "Effect",  # what an LMS does on its own: `syncd/side_effects.py`, named here for connectors
    "SideEffects",
]

NATURAL_KEYS = ("external_id", "username", "email")

# What carries a connector's requests when it is not the network: a simulator in-process,
# or a test's wrapper. Named here so that the runtime hands one on without naming httpx.
Transport: TypeAlias = httpx.BaseTransport


class EnrollScope(StrEnum):
    """What one enrollment request of an LMS carries: many people into one course (COURSE,
    Docebo-style), or one person into many courses (PERSON, Litmos's per-user assignment)."""

    COURSE = "course"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class CreateCarries:
    """What one user-create request can also do for the same person: the apply stage
    appends up to `members` of the person's learner memberships of `member_kinds` and up to
    `enrollments` of their enrollments (each in plan order) to the batch that creates them.
    The connector answers one outcome per operation, carried ones included."""

    member_kinds: frozenset[GroupKind] = frozenset()
    members: int = 0  # at most this many such memberships per person
    enrollments: int = 0  # at most this many enrollments per person

    def __bool__(self) -> bool:
        return bool(self.member_kinds and self.members) or self.enrollments > 0


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a connector can do and how much of it one request may carry."""

    batch_sizes: Mapping[OpKind, int] = field(default_factory=dict)
    supports: frozenset[OpKind] = frozenset(OpKind)
    # The fields an existing LMS account is adopted by, in order of trust.
    natural_keys: tuple[str, ...] = NATURAL_KEYS
    # Whether the LMS keys groups of a kind by code (True) or by name only (False).
    groups_have_codes: bool = True
    # Whether org units nest there (False: groups are flat, an org unit's parent is not kept).
    nested_groups: bool = True
    # The ways a person can belong to a group there (every LMS has learners; some, managers).
    member_roles: frozenset[MemberRole] = frozenset({MemberRole.LEARNER})
    # What the LMS does on its own per operation kind, as this target is set up (emails,
    # seats, results deleted): the plan lists and totals it, so nobody is surprised.
    side_effects: SideEffects = field(default_factory=SideEffects)
    # How long the LMS keeps an asynchronous job's id; None: it answers every call at once.
    job_lifetime: dt.timedelta | None = None
    # How the apply stage cuts Enroll batches: per course or per person (the plan is the same).
    enroll_scope: EnrollScope = EnrollScope.COURSE
    # What a user-create request can also carry for the new person (nothing: creates only).
    create_carries: CreateCarries = CreateCarries()
    # Group kinds whose learner memberships the LMS can move in one request: a person's
    # RemoveMember of such a kind rides in the batch of their AddMember of that kind, so
    # the connector may send the pair as one move (or as the two calls it would alone).
    moves_members: frozenset[GroupKind] = frozenset()
    # Whether one user-write request both creates and updates (an upsert by natural key):
    # then CreateUser and UpdateUser steps share batches (CreateUser's size), creates first.
    upserts_users: bool = False
    # Whether those user-write rows also set a user's active status (with `upserts_users`):
    # then DeactivateUser and ReactivateUser steps may share the user batches where that
    # takes no more requests (`reconcile.status_rows`); a batch of one status kind alone
    # may still go through the LMS's own status call.
    status_in_user_rows: bool = False
    # Whether one request removes a person from several groups: a batch of RemoveMember is
    # then cut by size only, not group by group (the connector packs it by person).
    removes_across_groups: bool = False
    # Whether the user-create request is a list of rows, one per person, each creating or
    # updating an account (its fields, Active) and carrying what `create_carries` allows,
    # for existing people too (a Litmos import): the apply stage then packs the plan's user
    # writes (create, update, reactivate, deactivate) with every person's carried
    # memberships and enrollments into batches of whole people (CreateUser's size, counted
    # in people), placed where the first of their steps stands in the plan. The connector
    # answers one outcome per operation, and may still send them one by one.
    user_rows: bool = False
    # Whether one request carries every membership change of one group, additions and
    # removals of every role: then a batch of AddMember or RemoveMember is cut group by
    # group whatever the role, and a group's removals ride in the batch of its first
    # additions (`carry.group_removals`), so the connector sends the group one request.
    edits_group_members: bool = False

    def batch_size(self, kind: OpKind) -> int:
        return self.batch_sizes.get(kind, 1)


class JobStatus(StrEnum):
    PENDING = "pending"  # queued or running
    DONE = "done"
    FAILED = "failed"
    GONE = "gone"  # the LMS no longer knows the job (expired or lost): assume nothing


@dataclass(frozen=True, slots=True)
class JobState:
    status: JobStatus
    error: str | None = None  # the LMS's words when the job failed
    # A DONE job that carried many operations may have failed some: their `Pending.item`
    # -> the LMS's words. The poller fails those alone and marks the others done.
    failed_items: Mapping[str, str] = field(default_factory=dict)
    # ... and may say the id of what it made for an item (a new account): item -> id.
    remote_ids: Mapping[str, RemoteId] = field(default_factory=dict)


class RemoteRefs(Protocol):
    """The remote ids the engine knows for HR keys; each lookup raises SkippableError if none."""

    def user(self, employee_id: EmployeeId) -> RemoteId: ...
    def group(self, ref: GroupRef) -> RemoteId: ...
    def course(self, code: CourseCode) -> RemoteId: ...


@dataclass(frozen=True, slots=True)
class Linked:
    """What the engine already links in a target, handed to `fetch`: each linked group's HR
    group by its remote id. A connector may yield a linked group as that HR group without
    reading what it would only read to tell which HR group it is (Litmos: a team's
    Description); an unlinked one it reads as always (it may be adopted)."""

    groups: Mapping[RemoteId, GroupRef] = field(default_factory=dict)


NOTHING_LINKED = Linked()


class Connector(Protocol):
    kind: ClassVar[str]
    capabilities: Capabilities

    def check(self) -> None:
        """Make one authenticated read; raise FatalError or RetriableError if it fails."""

    def fetch(self, linked: Linked = NOTHING_LINKED) -> Iterator[FetchItem]:
        """Every user, group, membership, course and enrollment, page by page, with a
        `PartRead` after the last record of each part (so a read that breaks off later
        still counts that part as read whole). `linked`: what the engine links already."""
        ...

    def apply(self, batch: Sequence[Operation], refs: RemoteRefs) -> list[Outcome]:
        """Carry out operations of one kind; one outcome per operation, in order."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class PollsJobs(Protocol):
    """A connector whose LMS answers some operations with a job id (`Pending`)."""

    def poll_job(self, job_id: str) -> JobState:
        """One look at a job; GONE when the LMS no longer knows it."""
        ...


@runtime_checkable
class ReadsBack(Protocol):
    """A connector whose LMS lists learners' results changed since a moment, so read back
    can be incremental. Connectors without it report progress on the enrollments `fetch`
    yields (`RemoteEnrollment.progress`), and read back takes it from there."""

    def read_back(self, since: dt.datetime | None) -> Iterator[RemoteEnrollment]:
        """Every enrollment whose result changed at or after `since` (None: every one),
        each with its `progress`. `since` already includes the engine's overlap margin."""
        ...


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    """What the runtime hands a connector factory besides the target's config."""

    clock: Clock
    transport: Transport | None = None
    # Called before every write request: raises once the target's lane lock is lost, so
    # that a process that lost it sends nothing more (None: no lane, e.g. `syncd check`).
    guard: Callable[[], None] | None = None


ConnectorFactory = Callable[["TargetBase", ConnectorContext], Connector]
