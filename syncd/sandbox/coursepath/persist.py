"""The Coursepath state as JSON (to persist a sandbox between runs) and as a snapshot.

`dump_state` writes a JSON-serialisable dict of every record, invitation,
deleted-results count, used token id and id counter; `load_state` restores
it exactly, so the dump of a load equals the original. `snapshot` is the view
tests assert on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from syncd.sandbox.coursepath.records import (
    Course,
    CoursepathSnapshot,
    Enrollment,
    Group,
    Invitation,
    Member,
    Program,
)
from syncd.sandbox.coursepath.state import ID_KINDS, CoursepathState

FORMAT = 1


def dump_state(state: CoursepathState) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "members": [{**asdict(m), "profile": dict(m.profile)} for m in state.members.values()],
        "courses": [asdict(course) for course in state.courses.values()],
        "programs": [asdict(program) for program in state.programs.values()],
        "enrollments": [asdict(item) for item in sorted(state.enrollments.values(), key=_pair)],
        "program_members": sorted([list(pair) for pair in state.program_members]),
        "groups": [
            {**asdict(g), "member_ids": sorted(g.member_ids)} for g in state.groups.values()
        ],
        "invitations": [asdict(invitation) for invitation in state.invitations],
        "results_deleted": state.results_deleted,
        "used_jtis": dict(state.used_jtis),
        "counters": dict(state.counters),
    }


def load_state(state: CoursepathState, data: dict[str, Any]) -> None:
    """Replace every record of `state` with those of a `dump_state` document."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown Coursepath sandbox state format: {data.get('format')!r}")
    state.reset()
    for row in _by_id(data["members"]):
        state.put_member(Member(**{**row, "profile": dict(row["profile"])}))
    state.courses = {int(r["id"]): Course(**r) for r in _by_id(data["courses"])}
    state.programs = {int(r["id"]): Program(**r) for r in _by_id(data["programs"])}
    for row in data["enrollments"]:
        item = Enrollment(**row)
        state.enrollments[(item.course_id, item.member_id)] = item
    state.program_members = {(int(p), int(m)) for p, m in data["program_members"]}
    for row in _by_id(data["groups"]):
        state.groups[int(row["id"])] = Group(row["id"], row["name"], frozenset(row["member_ids"]))
    state.invitations = [Invitation(**row) for row in data["invitations"]]
    state.results_deleted = int(data.get("results_deleted", 0))  # absent from older dumps
    state.used_jtis = {str(k): float(v) for k, v in data["used_jtis"].items()}
    counters = {str(kind): int(value) for kind, value in data["counters"].items()}
    state.counters = {**dict.fromkeys(ID_KINDS, 0), **counters}


def snapshot(state: CoursepathState) -> CoursepathSnapshot:
    members, courses, programs = state.members, state.courses, state.programs
    return CoursepathSnapshot(
        members={
            m.email: (m.name, m.active, tuple(sorted(m.profile.items()))) for m in members.values()
        },
        courses={course.code: course.name for course in courses.values()},
        programs={program.code: program.name for program in programs.values()},
        enrollments=frozenset(
            (courses[e.course_id].code, members[e.member_id].email, e.score, e.success, e.completed)
            for e in state.enrollments.values()
        ),
        program_members=frozenset(
            (programs[p].code, members[m].email) for p, m in state.program_members
        ),
        groups={
            g.name: frozenset(members[i].email for i in g.member_ids) for g in state.groups.values()
        },
    )


def _by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: int(row["id"]))


def _dump_group(group: Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "member_ids": sorted(group.member_ids)}


def _pair(item: Enrollment) -> tuple[int, int]:
    return (item.course_id, item.member_id)
