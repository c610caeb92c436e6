"""JSON dump and load of the Litmos simulator's state (for `syncd sandbox`).

`dump_state` gives plain JSON-able data; `load_state` replaces the state with it (the
rate-limit windows start empty; a dump made before achievements, sent emails or whole
user profiles were kept loads with none, or with the profile its old fields give).
Called under the app lock.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from syncd.sandbox.litmos.profile import seeded
from syncd.sandbox.litmos.state import (
    Achievement,
    Assignment,
    BulkImport,
    Course,
    LitmosState,
    SentMessage,
    Team,
    User,
)

# The fields of a user dumped before whole profiles were kept, by their Litmos names.
_OLD_USER_FIELDS = {
    "username": "UserName",
    "first": "FirstName",
    "last": "LastName",
    "email": "Email",
    "active": "Active",
    "access_level": "AccessLevel",
}


def dump_state(state: LitmosState) -> dict[str, Any]:
    return {
        "counter": state.counter,
        "achievement_counter": state.achievement_counter,
        "users": [asdict(u) for u in state.users.values()],
        "teams": [asdict(t) for t in state.teams.values()],
        "courses": [asdict(c) for c in state.courses.values()],
        "members": [list(m) for m in sorted(state.members)],
        "assignments": [asdict(a) for a in state.assignments.values()],
        "achievements": [asdict(a) for a in state.achievements],
        "sent": [asdict(m) for m in state.sent],
        "import_counter": state.import_counter,
        "imports": [asdict(job) for job in state.imports.values()],
    }


def load_state(state: LitmosState, data: dict[str, Any]) -> None:
    users = [_user(u) for u in data["users"]]
    teams = [Team(**t) for t in data["teams"]]
    courses = [Course(**c) for c in data["courses"]]
    assignments = [Assignment(**a) for a in data["assignments"]]
    state.counter = int(data["counter"])
    state.achievement_counter = int(data.get("achievement_counter", 0))
    state.users = {u.id: u for u in users}
    state.teams = {t.id: t for t in teams}
    state.courses = {c.id: c for c in courses}
    state.members = {(str(t), str(u)) for t, u in data["members"]}
    state.assignments = {(a.user_id, a.course_id): a for a in assignments}
    state.achievements = [Achievement(**a) for a in data.get("achievements", [])]
    state.sent = [SentMessage(**m) for m in data.get("sent", [])]
    state.import_counter = int(data.get("import_counter", 0))
    jobs = [_import(job) for job in data.get("imports", [])]
    state.imports = {job.id: job for job in jobs}
    state.calls.clear()


def _import(data: dict[str, Any]) -> BulkImport:
    errors = [(str(name), str(why)) for name, why in data.pop("errors")]
    return BulkImport(**data, errors=errors)


def _user(data: dict[str, Any]) -> User:
    if "profile" in data:
        return User(**data)
    fields = {name: data[old] for old, name in _OLD_USER_FIELDS.items() if old in data}
    return User(data["id"], int(data["original_id"]), float(data["created_at"]), seeded(**fields))
