"""A model LMS for the pure core's property tests: it applies operations to a RemoteState.

It behaves like a perfect LMS plus the engine's link bookkeeping, so a plan
applied to it must leave nothing for the next diff. Test-only; the real
behaviour of each LMS is pinned by its simulator's tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import count
from typing import assert_never

from syncd.keys import GroupKey, Links, MembershipKey, ObjectKey, UserKey
from syncd.operations import (
    AddMember,
    Adopt,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    Enroll,
    MoveGroup,
    Operation,
    ReactivateUser,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import (
    DesiredState,
    EmployeeId,
    EnrollmentStatus,
    GroupKind,
    GroupRef,
    Membership,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteState,
    RemoteUser,
)


@dataclass
class ModelLms:
    courses: tuple[RemoteCourse, ...]
    users: dict[RemoteId, RemoteUser] = field(default_factory=dict)
    groups: dict[tuple[GroupKind, RemoteId], RemoteGroup] = field(default_factory=dict)
    memberships: set[RemoteMembership] = field(default_factory=set)
    enrollments: dict[tuple[RemoteId, RemoteId], EnrollmentStatus] = field(default_factory=dict)
    links: dict[ObjectKey, RemoteId] = field(default_factory=dict)
    _ids: count[int] = field(default_factory=lambda: count(1000))

    def state(self) -> RemoteState:
        enrollments = tuple(RemoteEnrollment(c, u, s) for (c, u), s in self.enrollments.items())
        return RemoteState(
            tuple(self.users.values()),
            tuple(self.groups.values()),
            tuple(self.memberships),
            self.courses,
            enrollments,
        )

    def known_links(self) -> Links:
        return Links(dict(self.links))

    def new_id(self) -> RemoteId:
        return RemoteId(str(next(self._ids)))

    def link(self, key: ObjectKey, rid: RemoteId) -> None:
        self.links[key] = rid

    def unlink(self, key: ObjectKey) -> None:
        self.links.pop(key, None)

    def group_id(self, ref: GroupRef) -> RemoteId:
        return self.links[GroupKey(ref)]

    def user_id(self, emp: EmployeeId) -> RemoteId:
        return self.links[UserKey(emp)]

    def course_id(self, code: str) -> RemoteId:
        return next(c.remote_id for c in self.courses if c.code == code)

    def apply(self, op: Operation) -> None:
        match op:
            case Adopt():
                self.link(op.key, op.remote_id)
            case CreateUser():
                rid, p = self.new_id(), op.person
                self.users[rid] = RemoteUser(
                    rid, p.username, p.email, p.first_name, p.last_name, p.active
                )
                self.link(op.key, rid)
            case UpdateUser():
                rid, p = self.user_id(op.person.employee_id), op.person
                self.users[rid] = replace(
                    self.users[rid],
                    username=p.username,
                    email=p.email,
                    first_name=p.first_name,
                    last_name=p.last_name,
                )
            case DeactivateUser() | ReactivateUser():
                rid = self.user_id(op.employee_id)
                self.users[rid] = replace(self.users[rid], active=isinstance(op, ReactivateUser))
            case CreateGroup():
                rid, g = self.new_id(), op.group
                parent = self.group_id(g.parent) if g.parent else None
                self.groups[(g.ref.kind, rid)] = RemoteGroup(
                    rid, g.ref.kind, g.name, g.ref.code, parent
                )
                self.link(op.key, rid)
            case UpdateGroup():
                key = (op.group.ref.kind, self.group_id(op.group.ref))
                self.groups[key] = replace(self.groups[key], name=op.group.name)
            case MoveGroup():
                g = op.group
                key = (g.ref.kind, self.group_id(g.ref))
                parent = self.group_id(g.parent) if g.parent else None
                self.groups[key] = replace(self.groups[key], parent_remote_id=parent)
            case DeleteGroup():
                rid = self.group_id(op.ref)
                del self.groups[(op.ref.kind, rid)]
                self.memberships = {
                    m
                    for m in self.memberships
                    if m.group_remote_id != rid or m.group_kind is not op.ref.kind
                }
                self.unlink(op.key)
            case AddMember():
                member = RemoteMembership(
                    op.group.kind, self.group_id(op.group), self.user_id(op.employee_id)
                )
                self.memberships.add(member)
                self.link(op.key, RemoteId(""))
            case RemoveMember():
                self.memberships.discard(
                    RemoteMembership(
                        op.group.kind, self.group_id(op.group), self.user_id(op.employee_id)
                    )
                )
                self.unlink(op.key)
            case Enroll():
                pair = (self.course_id(op.course_code), self.user_id(op.employee_id))
                self.enrollments[pair] = EnrollmentStatus.ENROLLED
                self.link(op.key, RemoteId(""))
            case Unenroll():
                self.enrollments.pop((self.course_id(op.course_code), self.user_id(op.employee_id)))
                self.unlink(op.key)
            case _:
                assert_never(op)


def mismatches(lms: ModelLms, desired: DesiredState) -> list[str]:
    """Where the model LMS differs from HR's wish, judged without syncd's diff."""
    problems: list[str] = []
    users = lms.known_links().users()
    for emp, person in desired.people.items():
        remote = lms.users.get(users.get(emp, RemoteId("?")))
        if remote is None:
            problems += [f"{emp} has no account"] if person.active else []
        elif (remote.email, remote.first_name, remote.last_name, remote.active) != (
            person.email,
            person.first_name,
            person.last_name,
            person.active,
        ):
            problems.append(f"{emp} differs: {remote}")
    problems += [
        f"{emp} left HR but is active"
        for emp, rid in users.items()
        if emp not in desired.people and lms.users[rid].active
    ]
    return problems + _group_mismatches(lms, desired) + _member_mismatches(lms, desired)


def _group_mismatches(lms: ModelLms, desired: DesiredState) -> list[str]:
    problems = []
    for ref, group in desired.groups.items():
        remote = lms.groups.get((ref.kind, lms.links.get(GroupKey(ref), RemoteId("?"))))
        parent = lms.group_id(group.parent) if group.parent else None
        if remote is None or (remote.name, remote.parent_remote_id) != (group.name, parent):
            problems.append(f"{ref} differs: {remote}")
    return problems


def _member_mismatches(lms: ModelLms, desired: DesiredState) -> list[str]:
    active = {e for e, p in desired.people.items() if p.active}
    wanted = {
        (m.group.kind, lms.group_id(m.group), lms.user_id(m.employee_id))
        for m in desired.memberships
        if m.employee_id in active
    }
    have = {(m.group_kind, m.group_remote_id, m.user_remote_id) for m in lms.memberships}
    courses = {(lms.course_id(c), lms.user_id(e)) for e, c in desired.enrollments if e in active}
    problems = [f"membership missing: {m}" for m in wanted - have]
    problems += [f"enrollment missing: {e}" for e in courses - set(lms.enrollments)]
    managed = [key for key in lms.links if isinstance(key, MembershipKey)]
    for key in managed:
        member = Membership(key.group, key.employee_id, key.role)
        if key.employee_id in active and member not in desired.memberships:
            problems.append(f"managed membership {key} should be gone")
    return problems
