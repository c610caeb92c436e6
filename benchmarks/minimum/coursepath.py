"""The fewest requests Coursepath's API allows for a cycle, from the academy's state alone.

Reads (`limit` at most 1,000, a walk ends on a page shorter than `limit`): members,
groups, each group's members, courses, each course's members (its enrollments). Writes:
a new member is created straight into her first new course (`POST
/courses/{id}/members`, create and enroll in one), else by `POST /members`; a changed
member one `POST /members/{id}` (fields and `active` together); one `POST
/members/{id}/groups` per membership added (a new name creates the group); one `DELETE
/members/{id}/groups?name=..&name=..` per member for all the groups she leaves; one
coursemember `POST` or `DELETE` per enrollment otherwise. A group HR wants that gets no
member this cycle exists only once someone joined it: the acting member joins and leaves
(two requests). Results: Coursepath lists none, so reading each learner's result back is
one `GET .../coursemember` per enrollment the academy holds before the cycle. No token
request: each call carries a JWT minted by the caller. benchmarks/README.md cites each
limit.
"""

from __future__ import annotations

from collections import Counter

from benchmarks.minimum.rules import Minimum, by_name, pages_to_short
from benchmarks.minimum.state import LmsState, changes
from syncd.sandbox import CoursepathSimulator
from syncd.sandbox.coursepath.demo import ACTOR

LIMIT = 1000
RESULT = "GET /api/v1/courses/{course_id}/members/{member_id}/coursemember"
JOIN = "POST /api/v1/members/{member_id}/groups"
LEAVE = "DELETE /api/v1/members/{member_id}/groups"


def read(sim: CoursepathSimulator) -> LmsState:
    """Members by email, the acting member left out; groups by name, flat."""
    snap = sim.snapshot()
    users = {
        email: (email, *_split(name), active)
        for email, (name, active, _) in snap.members.items()
        if email != ACTOR
    }
    groups = {("group", name): (name, None) for name in snap.groups}
    members = frozenset(
        (("group", name), email) for name, emails in snap.groups.items() for email in emails
    )
    enrollments = frozenset((code, email) for code, email, *_ in snap.enrollments)
    return LmsState(users, groups, members, enrollments, courses=tuple(sorted(snap.courses)))


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


def reads(state: LmsState) -> Counter[str]:
    everyone = len(state.users) + 1  # the acting member is listed too
    floor = Counter(
        {
            "GET /api/v1/members": pages_to_short(everyone, LIMIT),
            "GET /api/v1/groups": pages_to_short(len(state.groups), LIMIT),
            "GET /api/v1/courses": pages_to_short(len(state.courses), LIMIT),
        }
    )
    floor["GET /api/v1/groups/{group_id}/members"] = sum(
        pages_to_short(state.members_of(g), LIMIT) for g in state.groups
    )
    floor["GET /api/v1/courses/{course_id}/members"] = sum(
        pages_to_short(state.enrolled_in(c), LIMIT) for c in state.courses
    )
    floor[RESULT] = len(state.enrollments)
    return floor


def writes(before: LmsState, after: LmsState) -> Counter[str]:
    change = changes(before, after)
    into_course = {u for _, u in change.enrolled if u in change.created}
    empty = len(change.groups_created - {g for g, _ in change.added})
    return +Counter(
        {
            "POST /api/v1/courses/{course_id}/members": len(into_course),
            "POST /api/v1/members": len(change.created - into_course),
            "POST /api/v1/members/{member_id}": len(
                change.updated | change.deactivated | change.reactivated
            ),
            JOIN: len(change.added) + empty,
            LEAVE: len({u for _, u in change.removed}) + empty,
            "POST /api/v1/courses/{course_id}/members/{member_id}/coursemember": len(
                change.enrolled
            )
            - len(into_course),
            "DELETE /api/v1/courses/{course_id}/members/{member_id}/coursemember": len(
                change.unenrolled
            ),
        }
    )


MINIMUM = Minimum("coursepath", CoursepathSimulator, read, by_name, False, reads, writes)
