"""The data of one simulated Coursepath academy, and its lookups.

`CoursepathState` holds members, courses, programs, enrollments (with
results), program memberships, groups, sent invitations, how many enrollments'
results were deleted and the used JWT ids, each table in ascending id order.
It validates nothing a client sends (handlers do) and is not locked: the
simulator calls it under its lock.
"""

from __future__ import annotations

import time
from dataclasses import replace

from syncd.sandbox.coursepath.records import (
    Course,
    Enrollment,
    Group,
    Invitation,
    Member,
    Program,
)
from syncd.sandbox.faults import Clock

ID_KINDS = ("member", "course", "program", "group")


class CoursepathState:
    """Every table of the academy, the id counters and the used `jti`s."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Forget every record, counter, invitation, deleted result and used token id."""
        self.members: dict[int, Member] = {}
        self.courses: dict[int, Course] = {}
        self.programs: dict[int, Program] = {}
        self.enrollments: dict[tuple[int, int], Enrollment] = {}
        self.program_members: set[tuple[int, int]] = set()
        self.groups: dict[int, Group] = {}
        self.invitations: list[Invitation] = []
        self.results_deleted = 0  # enrollments removed with their learning results
        self.used_jtis: dict[str, float] = {}  # jti -> the iat it came with
        self.counters: dict[str, int] = dict.fromkeys(ID_KINDS, 0)

    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    def now_text(self) -> str:
        """The clock as Coursepath prints dates: ISO 8601 in UTC."""
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))

    # -- members ----------------------------------------------------------

    def member_with_email(self, email: str) -> Member | None:
        wanted = email.casefold()
        return next((m for m in self.members.values() if m.email.casefold() == wanted), None)

    def put_member(self, member: Member) -> None:
        self.members[member.id] = member

    # -- learning ---------------------------------------------------------

    def course_members(self, course_id: int) -> list[int]:
        return sorted(member for course, member in self.enrollments if course == course_id)

    def member_courses(self, member_id: int) -> list[int]:
        return sorted(course for course, member in self.enrollments if member == member_id)

    def enroll(self, course_id: int, member_id: int) -> bool:
        """Enroll now (with an empty result); False when already enrolled (date kept)."""
        if (course_id, member_id) in self.enrollments:
            return False
        item = Enrollment(course_id, member_id, enrolled=self.now_text())
        self.enrollments[(course_id, member_id)] = item
        return True

    def unenroll(self, course_id: int, member_id: int) -> None:
        """Remove the learner from the course, and their result with them (seed 003:
        "Beware: this also deletes all learning results of that member!")."""
        del self.enrollments[(course_id, member_id)]
        self.results_deleted += 1

    # -- what the academy does on its own ---------------------------------

    def side_effects(self) -> dict[str, int]:
        """Totals by effect, named as syncd's `Effect` values, non-zero only. Every
        invitation, academy-, course- or program-scoped, is a welcome email: seed 003 calls
        all three "the invitation email", with the activation link. Seed 003 names no other
        email, no licence seat, and deleted results for a course's DELETE only."""
        totals = {
            "welcome_email": len(self.invitations),
            "results_deleted": self.results_deleted,
        }
        return {effect: n for effect, n in totals.items() if n}

    # -- groups -----------------------------------------------------------

    def group_named(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    def groups_of(self, member_id: int) -> list[Group]:
        return [g for g in self.groups.values() if member_id in g.member_ids]

    def join_group(self, member_id: int, name: str) -> tuple[Group, bool]:
        """Add the member to the group `name` (created if new); False if already in."""
        group = self.group_named(name) or Group(self.next_id("group"), name)
        if member_id in group.member_ids:
            return group, False
        group = replace(group, member_ids=group.member_ids | {member_id})
        self.groups[group.id] = group
        return group, True

    def leave_group(self, member_id: int, group: Group) -> None:
        """Take the member out of `group` (the group stays, maybe empty)."""
        self.groups[group.id] = replace(group, member_ids=group.member_ids - {member_id})

    # -- tokens -----------------------------------------------------------

    def use_jti(self, jti: str, iat: float, oldest: float) -> bool:
        """Mark `jti` used; False when it was already. Ids issued before `oldest` are dropped."""
        for stale in [key for key, issued in self.used_jtis.items() if issued < oldest]:
            del self.used_jtis[stale]
        if jti in self.used_jtis:
            return False
        self.used_jtis[jti] = iat
        return True
