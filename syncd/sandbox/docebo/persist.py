"""The Docebo state as JSON (to persist a sandbox between runs) and as a snapshot.

`dump_state` writes a JSON-serialisable dict with every record, id counter,
issued token and cursor; `load_state` restores it exactly, so a dump of the
load equals the original. `snapshot` is the comparable view tests assert on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from syncd.sandbox.docebo.records import Branch, Course, DoceboSnapshot, Enrollment, Group, User
from syncd.sandbox.docebo.state import DoceboState

FORMAT = 1


def dump_state(state: DoceboState) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "users": [asdict(state.users[i]) for i in sorted(state.users)],
        "branches": [_dump_branch(state.branches[i]) for i in sorted(state.branches)],
        "branch_users": _dump_members(state.branch_users),
        "groups": [asdict(state.groups[i]) for i in sorted(state.groups)],
        "group_users": _dump_members(state.group_users),
        "courses": [asdict(state.courses[i]) for i in sorted(state.courses)],
        "enrollments": [asdict(state.enrollments[k]) for k in sorted(state.enrollments)],
        "notified": list(state.notified),
        "counters": dict(state.counters),
        "tokens": dict(sorted(state.tokens.items())),
        "refresh_tokens": sorted(state.refresh_tokens),
        "cursors": {
            t: {"path": p, "query": [list(q) for q in query]}
            for t, (p, query) in sorted(state.cursors.items())
        },
    }


def load_state(state: DoceboState, data: dict[str, Any]) -> None:
    """Replace everything in `state` with a `dump_state` document."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown Docebo sandbox state format: {data.get('format')!r}")
    state.reset()
    for user in data["users"]:
        state.put_user(User(**user))
    state.replace_branches([_load_branch(branch) for branch in data["branches"]])
    state.branch_users = _load_members(data["branch_users"])
    for group in data["groups"]:
        state.put_group(Group(**group))
    state.group_users = _load_members(data["group_users"])
    _load_learning(state, data)
    _load_session(state, data)


def snapshot(state: DoceboState) -> DoceboSnapshot:
    users, branches, groups = state.users, state.branches, state.groups
    return DoceboSnapshot(
        users={u.username: (u.email, u.first_name, u.last_name, u.active) for u in users.values()},
        branches={b.code: (b.title, _parent_code(state, b)) for b in branches.values()},
        branch_members=frozenset(
            (branches[b].code, users[u].username)
            for b, us in state.branch_users.items()
            for u in us
        ),
        groups={g.name: g.description for g in groups.values()},
        group_members=frozenset(
            (groups[g].name, users[u].username) for g, us in state.group_users.items() for u in us
        ),
        enrollments=frozenset(
            (state.courses[c].code, users[u].username) for c, u in state.enrollments
        ),
    )


def _parent_code(state: DoceboState, branch: Branch) -> str | None:
    parent = state.branches.get(branch.parent_id)
    return None if parent is None else parent.code


def _dump_branch(branch: Branch) -> dict[str, Any]:
    return {
        "id": branch.id,
        "code": branch.code,
        "translations": dict(branch.translations),
        "parent_id": branch.parent_id,
    }


def _load_branch(data: dict[str, Any]) -> Branch:
    names = tuple((str(k), str(v)) for k, v in data["translations"].items())
    return Branch(int(data["id"]), str(data["code"]), names, int(data["parent_id"]))


def _dump_members(table: dict[int, set[int]]) -> list[list[int]]:
    return sorted([owner, user] for owner, users in table.items() for user in users)


def _load_members(rows: list[list[int]]) -> dict[int, set[int]]:
    table: dict[int, set[int]] = {}
    for owner, user in rows:
        table.setdefault(int(owner), set()).add(int(user))
    return table


def _load_learning(state: DoceboState, data: dict[str, Any]) -> None:
    for course in data["courses"]:
        state.courses[int(course["id"])] = Course(**course)
    for row in data["enrollments"]:
        state.put_enrollment(Enrollment(**row))


def _load_session(state: DoceboState, data: dict[str, Any]) -> None:
    state.notified = [int(user_id) for user_id in data.get("notified", [])]
    state.counters = {str(k): int(v) for k, v in data["counters"].items()}
    state.tokens = {str(k): float(v) for k, v in data["tokens"].items()}
    state.refresh_tokens = {str(t) for t in data["refresh_tokens"]}
    state.cursors = {
        str(t): (str(c["path"]), tuple((str(k), str(v)) for k, v in c["query"]))
        for t, c in data["cursors"].items()
    }
    state.touch()
