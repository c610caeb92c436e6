"""Object keys: which object syncd manages in an LMS, as one frozen value of HR key parts.

A person's account is a `UserKey`, an org unit's or a config group's LMS group a
`GroupKey`, a membership a `MembershipKey` (group, person, role), an enrollment an
`EnrollmentKey` (person, course code). Operations make them (`op.key`); the journal, the
job table and the links keep their parts in typed columns and give them back, so no
module builds a key out of text or parses one. The text exists for people only:
`str(key)` is the plan's `key` and the `operations.object_key` column, `link_text` the
`links.hr_key` column (a group's code alone there: the link's kind names its kind).
`Links` holds one target's links, by key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from syncd.records import (
    CourseCode,
    EmployeeId,
    GroupKind,
    GroupRef,
    LinkKind,
    MemberRole,
    Membership,
    RemoteId,
)


@dataclass(frozen=True, slots=True)
class UserKey:
    """A person's account."""

    employee_id: EmployeeId

    def __str__(self) -> str:
        return self.employee_id

    @property
    def link_kind(self) -> LinkKind:
        return LinkKind.USER

    @property
    def link_text(self) -> str:
        return str(self)

    @property
    def person(self) -> EmployeeId:
        return self.employee_id


@dataclass(frozen=True, slots=True)
class GroupKey:
    """The LMS group of an org unit or of a config group."""

    ref: GroupRef

    def __str__(self) -> str:
        return str(self.ref)

    @property
    def link_kind(self) -> LinkKind:
        return LinkKind.of_group(self.ref.kind)

    @property
    def link_text(self) -> str:
        return self.ref.code

    @property
    def person(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class MembershipKey:
    """A person's place in a group, as a learner or as a manager."""

    group: GroupRef
    employee_id: EmployeeId
    role: MemberRole = MemberRole.LEARNER

    @classmethod
    def of(cls, membership: Membership) -> MembershipKey:
        return cls(membership.group, membership.employee_id, membership.role)

    def __str__(self) -> str:
        """`org_unit:SAL/E1` for a learner, `manager@org_unit:SAL/E1` for a manager."""
        prefix = "" if self.role is MemberRole.LEARNER else f"{self.role.value}@"
        return f"{prefix}{self.group}/{self.employee_id}"

    @property
    def link_kind(self) -> LinkKind:
        return LinkKind.MEMBERSHIP

    @property
    def link_text(self) -> str:
        return str(self)

    @property
    def person(self) -> EmployeeId:
        return self.employee_id


@dataclass(frozen=True, slots=True)
class EnrollmentKey:
    """A person's enrollment in a course, by HR's course code."""

    employee_id: EmployeeId
    course_code: CourseCode

    def __str__(self) -> str:
        """`E1/SEC-101`."""
        return f"{self.employee_id}/{self.course_code}"

    @property
    def link_kind(self) -> LinkKind:
        return LinkKind.ENROLLMENT

    @property
    def link_text(self) -> str:
        return str(self)

    @property
    def person(self) -> EmployeeId:
        return self.employee_id


ObjectKey = UserKey | GroupKey | MembershipKey | EnrollmentKey


@dataclass(frozen=True, slots=True)
class Links:
    """Object key -> remote id for one target: the objects syncd manages there.

    `adopted` names the links to objects syncd did not create (the LMS had them
    before syncd and they were adopted by natural key); every other link is to
    an object syncd created. The views by kind are built once, with the value.
    """

    ids: Mapping[ObjectKey, RemoteId] = field(default_factory=dict)
    adopted: frozenset[ObjectKey] = frozenset()
    _users: dict[EmployeeId, RemoteId] = field(init=False, repr=False, compare=False)
    _groups: dict[GroupKind, dict[GroupRef, RemoteId]] = field(
        init=False, repr=False, compare=False
    )
    _counts: Counter[LinkKind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        users: dict[EmployeeId, RemoteId] = {}
        groups: dict[GroupKind, dict[GroupRef, RemoteId]] = {kind: {} for kind in GroupKind}
        for key, rid in self.ids.items():
            if isinstance(key, UserKey):
                users[key.employee_id] = rid
            elif isinstance(key, GroupKey):
                groups[key.ref.kind][key.ref] = rid
        object.__setattr__(self, "_users", users)
        object.__setattr__(self, "_groups", groups)
        object.__setattr__(self, "_counts", Counter(key.link_kind for key in self.ids))

    def __contains__(self, key: ObjectKey) -> bool:
        return key in self.ids

    def get(self, key: ObjectKey) -> RemoteId | None:
        return self.ids.get(key)

    def created(self, key: ObjectKey) -> bool:
        """True when `key` is linked to an object syncd created (not adopted)."""
        return key in self.ids and key not in self.adopted

    def users(self) -> Mapping[EmployeeId, RemoteId]:
        """The linked accounts, by employee id."""
        return self._users

    def groups(self, kind: GroupKind) -> Mapping[GroupRef, RemoteId]:
        """The linked groups of one kind, by HR group."""
        return self._groups[kind]

    def count(self, kind: LinkKind) -> int:
        return self._counts[kind]
