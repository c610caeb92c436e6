"""Out-of-band edits of a Coursepath academy, for tests and the sandbox catalog.

Each helper checks what it is given (ValueError, never an HTTP answer) and
writes the state directly: what an academy administrator does in the
platform's own UI. The simulator calls them under its lock.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import TypeVar

from syncd.sandbox.coursepath.forms import derived_name
from syncd.sandbox.coursepath.records import PROFILE_FIELDS, Course, Group, Member, Program
from syncd.sandbox.coursepath.state import CoursepathState

T = TypeVar("T")


class Keep(Enum):
    """The default of a `set_result` field that stays as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def seed_member(
    state: CoursepathState, email: str, name: str | None, fields: dict[str, str | bool]
) -> int:
    """A new member; `fields` are profile fields by wire name, and `active`."""
    _require("@" in email, f"not an email address: {email}")
    _require(state.member_with_email(email) is None, f"email in use: {email}")
    unknown = sorted(set(fields) - {"active", *PROFILE_FIELDS})
    _require(not unknown, f"unknown member fields: {unknown}")
    profile = {k: str(v) for k, v in fields.items() if k != "active"}
    active = bool(fields.get("active", True))
    member = Member(state.next_id("member"), email, name or derived_name(email), profile, active)
    state.put_member(member)
    return member.id


def seed_course(state: CoursepathState, code: str, name: str) -> int:
    _require(all(c.code != code for c in state.courses.values()), f"course code in use: {code}")
    course = Course(state.next_id("course"), code, name)
    state.courses[course.id] = course
    return course.id


def seed_program(state: CoursepathState, code: str, name: str) -> int:
    taken = any(p.code == code for p in state.programs.values())
    _require(not taken, f"program code in use: {code}")
    program = Program(state.next_id("program"), code, name)
    state.programs[program.id] = program
    return program.id


def enroll(state: CoursepathState, course_id: int, member_id: int) -> None:
    _known(state.courses, course_id, "course")
    _known(state.members, member_id, "member")
    state.enroll(course_id, member_id)


def set_result(
    state: CoursepathState,
    key: tuple[int, int],
    *,
    score: float | Keep | None = KEEP,
    success: bool | Keep | None = KEEP,
    completed: str | Keep | None = KEEP,
    enrolled: str | Keep | None = KEEP,
) -> None:
    """Change the result of an enrolled (course id, member id); KEEP leaves a field.

    `enrolled` rewrites the enrollment date, as for a learner enrolled before the test
    began (None stands for an academy that does not say)."""
    item = state.enrollments.get(key)
    if item is None:
        raise ValueError(f"member {key[1]} is not enrolled in course {key[0]}")
    state.enrollments[key] = replace(
        item,
        score=_kept(score, item.score),
        success=_kept(success, item.success),
        completed=_kept(completed, item.completed),
        enrolled=_kept(enrolled, item.enrolled),
    )


def seed_group(state: CoursepathState, name: str) -> int:
    _require(bool(name.strip()), "a group needs a name")
    _require(state.group_named(name) is None, f"group name in use: {name}")
    group = Group(state.next_id("group"), name)
    state.groups[group.id] = group
    return group.id


def add_to_group(state: CoursepathState, member_id: int, name: str) -> None:
    _known(state.members, member_id, "member")
    _require(bool(name.strip()), "a group needs a name")
    state.join_group(member_id, name)


def _kept(given: T | Keep, current: T) -> T:
    """`given`, unless it is KEEP: then `current`."""
    return current if isinstance(given, Keep) else given


def _known(table: dict[int, T], key: int, kind: str) -> T:
    found = table.get(key)
    if found is None:
        raise ValueError(f"no {kind} {key}")
    return found


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
