"""Operations: the values a plan is made of, and what a connector answers for each.

The diff produces them, the journal stores them, connectors turn them into
HTTP calls. Every operation names its object by HR key (`op.key`, a typed
`syncd.keys` value); the remote ids a connector needs come from the `RemoteRefs`
the engine hands it. `Adopt` is the engine's own: it links an object the LMS
already had and is never sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, assert_never

from syncd.keys import EnrollmentKey, GroupKey, MembershipKey, ObjectKey, UserKey
from syncd.records import (
    CourseCode,
    EmployeeId,
    Group,
    GroupRef,
    MemberRole,
    Person,
    RemoteId,
)

FieldValue = str | bool | None


class OpKind(StrEnum):
    ADOPT = "adopt"
    CREATE_GROUP = "create_group"
    UPDATE_GROUP = "update_group"
    MOVE_GROUP = "move_group"
    CREATE_USER = "create_user"
    UPDATE_USER = "update_user"
    REACTIVATE_USER = "reactivate_user"
    ADD_MEMBER = "add_member"
    ENROLL = "enroll"
    UNENROLL = "unenroll"
    REMOVE_MEMBER = "remove_member"
    DEACTIVATE_USER = "deactivate_user"
    DELETE_USER = "delete_user"
    DELETE_GROUP = "delete_group"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: FieldValue
    new: FieldValue


@dataclass(frozen=True, slots=True)
class Adopt:
    """Link `key` to the object the LMS already has under `remote_id`."""

    key: ObjectKey
    remote_id: RemoteId
    KIND: ClassVar[OpKind] = OpKind.ADOPT


# Operations share their key by what they concern: a person's account, a group, a
# membership, an enrollment. The bases carry the key; each operation names its KIND.


@dataclass(frozen=True, slots=True)
class _OnPerson:
    person: Person

    @property
    def key(self) -> UserKey:
        return UserKey(self.person.employee_id)


@dataclass(frozen=True, slots=True)
class _OnAccount:
    employee_id: EmployeeId

    @property
    def key(self) -> UserKey:
        return UserKey(self.employee_id)


@dataclass(frozen=True, slots=True)
class _OnGroup:
    group: Group

    @property
    def key(self) -> GroupKey:
        return GroupKey(self.group.ref)


@dataclass(frozen=True, slots=True)
class _OnMembership:
    group: GroupRef
    employee_id: EmployeeId
    role: MemberRole = MemberRole.LEARNER

    @property
    def key(self) -> MembershipKey:
        return MembershipKey(self.group, self.employee_id, self.role)


@dataclass(frozen=True, slots=True)
class _OnEnrollment:
    employee_id: EmployeeId
    course_code: CourseCode

    @property
    def key(self) -> EnrollmentKey:
        return EnrollmentKey(self.employee_id, self.course_code)


@dataclass(frozen=True, slots=True)
class CreateUser(_OnPerson):
    KIND: ClassVar[OpKind] = OpKind.CREATE_USER


@dataclass(frozen=True, slots=True)
class UpdateUser(_OnPerson):
    changes: tuple[FieldChange, ...]
    KIND: ClassVar[OpKind] = OpKind.UPDATE_USER


@dataclass(frozen=True, slots=True)
class DeactivateUser(_OnAccount):
    KIND: ClassVar[OpKind] = OpKind.DEACTIVATE_USER


@dataclass(frozen=True, slots=True)
class DeleteUser(_OnAccount):
    """Delete a leaver's account (only with `on_leave = "delete"`, only accounts syncd created)."""

    KIND: ClassVar[OpKind] = OpKind.DELETE_USER


@dataclass(frozen=True, slots=True)
class ReactivateUser(_OnAccount):
    KIND: ClassVar[OpKind] = OpKind.REACTIVATE_USER


@dataclass(frozen=True, slots=True)
class CreateGroup(_OnGroup):
    KIND: ClassVar[OpKind] = OpKind.CREATE_GROUP


@dataclass(frozen=True, slots=True)
class UpdateGroup(_OnGroup):
    """Rename a group."""

    old_name: str
    KIND: ClassVar[OpKind] = OpKind.UPDATE_GROUP


@dataclass(frozen=True, slots=True)
class MoveGroup(_OnGroup):
    """Give an org unit a new parent (None: the root)."""

    old_parent: GroupRef | None
    KIND: ClassVar[OpKind] = OpKind.MOVE_GROUP


@dataclass(frozen=True, slots=True)
class DeleteGroup:
    ref: GroupRef
    KIND: ClassVar[OpKind] = OpKind.DELETE_GROUP

    @property
    def key(self) -> GroupKey:
        return GroupKey(self.ref)


@dataclass(frozen=True, slots=True)
class AddMember(_OnMembership):
    KIND: ClassVar[OpKind] = OpKind.ADD_MEMBER


@dataclass(frozen=True, slots=True)
class RemoveMember(_OnMembership):
    KIND: ClassVar[OpKind] = OpKind.REMOVE_MEMBER


@dataclass(frozen=True, slots=True)
class Enroll(_OnEnrollment):
    due_date: dt.date | None = None
    KIND: ClassVar[OpKind] = OpKind.ENROLL


@dataclass(frozen=True, slots=True)
class Unenroll(_OnEnrollment):
    KIND: ClassVar[OpKind] = OpKind.UNENROLL


Operation = (
    Adopt
    | CreateUser
    | UpdateUser
    | DeactivateUser
    | DeleteUser
    | ReactivateUser
    | CreateGroup
    | UpdateGroup
    | MoveGroup
    | DeleteGroup
    | AddMember
    | RemoveMember
    | Enroll
    | Unenroll
)


def changes(op: Operation) -> dict[str, FieldValue]:
    """The fields an operation sets, as plain values (the plan's and the journal's `changes`)."""
    match op:
        case Adopt():
            return {"link": op.key.link_kind.value, "remote_id": op.remote_id}
        case CreateUser():
            return _person_fields(op.person)
        case UpdateUser():
            return {c.field: c.new for c in op.changes}
        case DeactivateUser():
            return {"active": False}
        case ReactivateUser():
            return {"active": True}
        case CreateGroup():
            return {"name": op.group.name, "parent": _text(op.group.parent)}
        case UpdateGroup():
            return {"name": op.group.name}
        case MoveGroup():
            return {"parent": _text(op.group.parent)}
        case AddMember() | RemoveMember():
            return {} if op.role is MemberRole.LEARNER else {"role": op.role.value}
        case DeleteUser() | DeleteGroup() | Unenroll():
            return {}
        case Enroll():
            return {"due_date": op.due_date.isoformat() if op.due_date else None}
        case _:
            assert_never(op)


def before(op: Operation) -> dict[str, FieldValue]:
    """What the LMS held, as read, of each field `changes(op)` overwrites: the plan's
    `before`, so that a reviewer sees what a change replaces (empty where nothing is)."""
    match op:
        case UpdateUser():
            return {c.field: c.old for c in op.changes}
        case DeactivateUser():
            return {"active": True}
        case ReactivateUser():
            return {"active": False}
        case UpdateGroup():
            return {"name": op.old_name}
        case MoveGroup():
            return {"parent": _text(op.old_parent)}
        case _:
            return {}


def shown_key(kind: OpKind, key: ObjectKey) -> str:
    """The key as the plan's `key` and the journal's `object_key` show it: `str(key)`, but
    for an adoption its link's HR key (a group's code alone), as syncd always showed it."""
    return key.link_text if kind is OpKind.ADOPT else str(key)


def _person_fields(p: Person) -> dict[str, FieldValue]:
    return {
        "username": p.username,
        "email": p.email,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "active": p.active,
    }


def _text(ref: GroupRef | None) -> str | None:
    return str(ref) if ref else None


# --- what a connector answers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applied:
    """The LMS did it; `remote_id` is the id of what it created, where it created something."""

    remote_id: RemoteId | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """The LMS accepted the operation and will do it later: poll `job_id` until it settles.
    `remote_id` is the id of what it is creating, where the LMS says so up front."""

    job_id: str
    remote_id: RemoteId | None = None
    # What the LMS will call this operation when it reports the job's results per part
    # (a user import's row, by username); None: the job succeeds or fails as a whole.
    item: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """The LMS refused this one operation; `error` carries the LMS's own words."""

    error: str


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """The LMS answered 2xx, but in words syncd cannot read as done or refused (its write
    API is not public, or its answer changed): neither done nor failed. The next read
    tells, and the next plan either holds it no more (done) or plans it again."""

    reason: str
    remote_id: RemoteId | None = None


Outcome = Applied | Pending | Rejected | Unconfirmed
