"""The fewest requests Litmos's API allows for a cycle, from the account's state alone.

Reads (`limit` 1,000, a walk ends on a short or empty page): users; teams (every team,
sub-teams included); each team's sub-teams (the tree: no list item names a parent) and
its active members; courses; assignments through `/results/details`. Writes: users
created, updated and (de)activated as rows of `/bulkimports` (2,000 KB an import, each
row carrying up to 5 teams and 3 courses, so an existing user's new teams and courses
ride in a row too), each import followed by one poll of its status and one of its
`usererrors`; teams one `POST` each; what a row cannot carry, one call per team
(`POST /teams/{id}/users`) and per person (`POST /users/{id}/courses`); removals one
request each. Without an import (when cheaper), the single-record calls instead.
benchmarks/README.md cites each limit.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from benchmarks.minimum.rules import Minimum, by_code, coded, pages_to_short
from benchmarks.minimum.state import Changes, GroupKey, LmsState, changes
from syncd.sandbox import LitmosSimulator

LIMIT = 1000
IMPORT_BYTES = 2000 * 1000  # "2000 KB", read as the smaller thousand
TEAMS_PER_ROW, COURSES_PER_ROW = 5, 3
ID = "x" * 12  # Litmos ids are 12 characters (docs/lms/litmos.md, Users)
IMPORT = "POST /v1.svc/bulkimports"
IMPORT_STATUS = "GET /v1.svc/bulkimports/{bulkImportId}"
IMPORT_ERRORS = "GET /v1.svc/bulkimports/{bulkImportId}/usererrors"
TEAM_USERS = "POST /v1.svc/teams/{teamId}/users"
USER_COURSES = "POST /v1.svc/users/{userId}/courses"


def read(sim: LitmosSimulator) -> LmsState:
    """Every member of a team, inactive users too (the API lists only the active ones)."""
    with sim.lock:
        st = sim.state
        keys = {t.id: coded(t.description, t.name) for t in st.teams.values()}
        groups = {keys[t.id]: (t.name, keys.get(t.parent_id)) for t in st.teams.values()}
        members = frozenset((keys[t], st.users[u].username) for t, u in st.members)
        courses = tuple(sorted(c.code for c in st.courses.values()))
    snap = sim.snapshot()
    users = {name: (email, first, last, active) for name, first, last, email, active in snap.users}
    enrollments = frozenset((code, name) for name, code, *_ in snap.assignments)
    return LmsState(users, groups, members, enrollments, courses=courses)


def reads(state: LmsState) -> Counter[str]:
    active = {u for u, view in state.users.items() if view[3]}
    floor = Counter(
        {
            "GET /v1.svc/users": pages_to_short(len(state.users), LIMIT),
            "GET /v1.svc/teams": pages_to_short(len(state.groups), LIMIT),
            "GET /v1.svc/courses": pages_to_short(len(state.courses), LIMIT),
            "GET /v1.svc/results/details": pages_to_short(len(state.enrollments), LIMIT),
        }
    )
    children = Counter(parent for _, parent in state.groups.values() if parent)
    floor["GET /v1.svc/teams/{teamId}/teams"] = sum(
        pages_to_short(children[g], LIMIT) for g in state.groups
    )
    floor["GET /v1.svc/teams/{teamId}/users"] = sum(
        pages_to_short(sum(1 for t, u in state.members if t == g and u in active), LIMIT)
        for g in state.groups
    )
    return floor


def writes(before: LmsState, after: LmsState) -> Counter[str]:
    change = changes(before, after)
    floor = Counter(_teams(change, after))
    floor["DELETE /v1.svc/teams/{teamId}/users/{userId}"] = len(change.removed)
    floor["DELETE /v1.svc/users/{userId}/courses/{courseId}"] = len(change.unenrolled)
    imported, single = _with_imports(change, after), _single(change)
    return +(floor + min(imported, single, key=lambda c: c.total()))


def _teams(change: Changes, after: LmsState) -> Counter[str]:
    created = Counter(
        "POST /v1.svc/teams/{teamId}/teams" if after.groups[g][1] else "POST /v1.svc/teams"
        for g in change.groups_created
    )
    created["DELETE /v1.svc/teams/{teamId}"] = len(change.groups_deleted)
    return created


def _with_imports(change: Changes, after: LmsState) -> Counter[str]:
    """Rows for every user created, updated, (de)activated, or given teams or courses;
    the teams and courses past a row's room, by team and by person."""
    teams, courses = _by_user(change)
    users = change.created | change.updated | change.deactivated | change.reactivated
    users |= teams.keys() | courses.keys()
    sizes = [_row_bytes(u, after, len(teams[u]), len(courses[u])) for u in sorted(users)]
    imports = _imports(sizes)
    floor = Counter({IMPORT: imports, IMPORT_STATUS: imports, IMPORT_ERRORS: imports})
    floor[TEAM_USERS] = len({g for u in users for g in teams[u][TEAMS_PER_ROW:]})
    floor[USER_COURSES] = sum(1 for u in users if len(courses[u]) > COURSES_PER_ROW)
    return floor


def _single(change: Changes) -> Counter[str]:
    """No import: a `POST /users` per new user, a `PUT` per changed one, then each team's new
    members in one call and each person's new courses in one call."""
    _, courses = _by_user(change)
    changed = change.updated | change.deactivated | change.reactivated
    return Counter(
        {
            "POST /v1.svc/users": len(change.created),
            "PUT /v1.svc/users/{userId}": len(changed),
            TEAM_USERS: len({g for g, _ in change.added}),
            USER_COURSES: len(courses),
        }
    )


def _by_user(change: Changes) -> tuple[dict[str, list[GroupKey]], dict[str, list[str]]]:
    teams: dict[str, list[GroupKey]] = defaultdict(list)
    courses: dict[str, list[str]] = defaultdict(list)
    for group, user in sorted(change.added):
        teams[user].append(group)
    for course, user in sorted(change.enrolled):
        courses[user].append(course)
    return teams, courses


def _row_bytes(user: str, after: LmsState, teams: int, courses: int) -> int:
    """The JSON of a row as an import would carry it: the user's fields, Active, and a
    12-character id per team and course it names (plus the comma between rows)."""
    email, first, last, active = after.users[user]
    row: dict[str, object] = {
        "Username": user,
        "Email": email,
        "FirstName": first,
        "LastName": last,
        "Active": active,
    }
    row |= {f"Team{i + 1}": ID for i in range(min(teams, TEAMS_PER_ROW))}
    row |= {f"Course{i + 1}": ID for i in range(min(courses, COURSES_PER_ROW))}
    return len(json.dumps(row).encode()) + 1


def _imports(sizes: list[int]) -> int:
    """Imports needed for rows of these sizes, filled in order up to IMPORT_BYTES each."""
    envelope = len(b'{"UserImport": []}')
    count, used = 0, IMPORT_BYTES
    for size in sizes:
        if used + size > IMPORT_BYTES:
            count, used = count + 1, envelope
        used += size
    return count


MINIMUM = Minimum("litmos", LitmosSimulator, read, by_code, True, reads, writes)
