"""Where a Coursepath course or program keeps its learners: the paths enrollments use.

A target's `courses` table maps a course code to a Coursepath course id, or to
`program:<id>` for a program; a code it does not name is the engine's link. Pure: the
lookups raise SkippableError (from the refs, or for an id that is not a number).
"""

from __future__ import annotations

from collections.abc import Mapping

from syncd.connectors.base import RemoteRefs
from syncd.connectors.coursepath import mapping
from syncd.connectors.coursepath.client import COURSES, PROGRAMS
from syncd.records import CourseCode, RemoteId

PROGRAM_PREFIX = "program:"  # a `courses` value `program:<id>` names a Coursepath program


def members_path(courses: Mapping[str, str], refs: RemoteRefs, code: CourseCode) -> str:
    """The member list of a course (`/courses/{c}/members`) or of a program."""
    program = program_id(courses, code)
    if program is not None:
        return f"{PROGRAMS}/{program}/members"
    configured = courses.get(code, "")
    course = mapping.coursepath_id(RemoteId(configured) if configured else refs.course(code))
    return f"{COURSES}/{course}/members"


def learner_path(
    courses: Mapping[str, str], refs: RemoteRefs, code: CourseCode, member: int
) -> str:
    """A member's coursemember (or programmember) in a course (or program)."""
    suffix = "coursemember" if program_id(courses, code) is None else "programmember"
    return f"{members_path(courses, refs, code)}/{member}/{suffix}"


def program_id(courses: Mapping[str, str], code: CourseCode) -> int | None:
    configured = courses.get(code, "")
    if not configured.startswith(PROGRAM_PREFIX):
        return None
    return mapping.coursepath_id(configured.removeprefix(PROGRAM_PREFIX))
