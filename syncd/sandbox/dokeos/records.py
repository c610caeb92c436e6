"""The records the Dokeos simulator keeps, the work its jobs do, and its snapshot.

Frozen values: the state replaces a record to change it. A job carries its
work as one of the `JobWork` values, done when the job settles.
`DokeosSnapshot` is the plain view tests compare (keyed by usernames, group
codes or names and training codes, never by the simulator's ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PARTICIPATION_STATUSES = ("not_started", "in_progress", "completed", "failed")
USER_ATTRIBUTES = ("group_ids", "role_names", "tag_ids", "skills")
PARTICIPATION_ATTRIBUTES = ("progressions",)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    email: str
    firstname: str
    lastname: str
    external_id: str | None
    active: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Group:
    """A flat group; `code` is unique (ignoring case) when set."""

    id: int
    name: str
    code: str | None
    description: str
    learner_ids: frozenset[int] = frozenset()
    manager_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        """How the snapshot names the group: its code, else its name."""
        return self.code if self.code is not None else self.name


@dataclass(frozen=True, slots=True)
class Training:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Participation:
    id: int
    user_id: int
    training_id: int
    status: str
    score: float | None
    created_at: str
    completed_at: str | None


# -- the work of jobs ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeleteUser:
    user_id: int


@dataclass(frozen=True, slots=True)
class ChangeMembers:
    group_id: int
    add_learner_ids: tuple[int, ...] = ()
    remove_learner_ids: tuple[int, ...] = ()
    add_manager_ids: tuple[int, ...] = ()
    remove_manager_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateParticipation:
    user_id: int
    training_id: int


@dataclass(frozen=True, slots=True)
class DeleteParticipation:
    participation_id: int


@dataclass(frozen=True, slots=True)
class Unmodelled:
    """Work whose effect the simulator does not model (training gates, session syncs)."""

    path: str


JobWork = DeleteUser | ChangeMembers | CreateParticipation | DeleteParticipation | Unmodelled
WORK_KINDS: tuple[type[JobWork], ...] = (
    DeleteUser,
    ChangeMembers,
    CreateParticipation,
    DeleteParticipation,
    Unmodelled,
)


@dataclass(frozen=True, slots=True)
class Job:
    """An asynchronous operation; times are on the simulator clock.

    It settles at `due_at` (creation + the job duration then set): `outcome`
    becomes "done" or "failed" (with `error`). `forced_error` is the
    `fail_next_jobs` message it was created with.
    """

    id: str
    seq: int
    work: JobWork
    created_at: float
    due_at: float
    forced_error: str | None = None
    outcome: str | None = None
    error: str | None = None
    finished_at: float | None = None


UserView = tuple[str, str, str, bool, str | None]


@dataclass(frozen=True, slots=True)
class DokeosSnapshot:
    """The simulator's state as plain, comparable values.

    users: username -> (email, firstname, lastname, active, external_id);
    groups: code (or name when there is none) -> name; learners and managers:
    (group key, username); participations: (training code, username);
    pending_jobs: jobs not settled yet.
    """

    users: Mapping[str, UserView]
    groups: Mapping[str, str]
    learners: frozenset[tuple[str, str]]
    managers: frozenset[tuple[str, str]]
    participations: frozenset[tuple[str, str]]
    pending_jobs: int
