"""Docebo user endpoints other than the batch: list, change_status, the branch moves, delete.

`GET /manage/v1/user` lists users with ids and status as strings, as Docebo
sends them. The PUTs are all-or-nothing: unknown ids answer 400 naming
them and change nothing. The delete is per user: it deletes every known user
it names (with their memberships and enrollments) and reports the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from syncd.sandbox.docebo.limits import at_most
from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import User
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import as_id, body_object, id_list
from syncd.sandbox.messages import HttpError, Request, Response, json_response

MAX_DELETE = 1000


def render_user(user: User) -> dict[str, object]:
    return {
        "user_id": str(user.user_id),
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "status": "1" if user.active else "0",
        "level": user.level,
        "creation_date": user.creation_date,
        "last_update": user.last_update,
    }


USERS: ListSpec[User] = ListSpec(
    name="users",
    default_sort="user_id",
    sorts={
        "user_id": lambda u: u.user_id,
        "username": lambda u: u.username.casefold(),
        "email": lambda u: u.email.casefold(),
        "first_name": lambda u: u.first_name.casefold(),
        "last_name": lambda u: u.last_name.casefold(),
        "creation_date": lambda u: u.creation_date,
        "last_update": lambda u: u.last_update,
    },
    render=render_user,
)


def list_users(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/user."""
    request = resolve(state, request)
    return list_page(state, request, USERS, (), state.users.values)


def change_status(state: DoceboState, request: Request) -> Response:
    """PUT /manage/v1/user/change_status: {"user_ids": [..], "status": 0|1}."""
    body = body_object(request)
    user_ids = id_list(body, "user_ids")
    at_most(user_ids, "users")
    status = as_id(body.get("status"))
    if status not in (0, 1):
        raise HttpError(400, "'status' must be 0 or 1")
    require_known(state, user_ids, [])
    for user_id in user_ids:
        _set_active(state, state.users[user_id], status == 1)
    return json_response({"data": {"success": True}})


def remove_from_branch(state: DoceboState, request: Request) -> Response:
    """PUT /manage/v1/user/remove_from_branch: {"user_ids": [..], "branch_ids": [..]}."""
    user_ids, branch_ids = _users_and_branches(state, body_object(request))
    for branch_id in branch_ids:
        for user_id in user_ids:
            state.set_member(state.branch_users, branch_id, user_id, on=False)
    return json_response({"data": {"success": True}})


def move_to_branch(state: DoceboState, request: Request) -> Response:
    """PUT /manage/v1/user/move_to_branch: {"user_ids": [..], "branch_ids": [..]} (the 2017
    SDK's ManageUserMoveToBranchSchema: both lists, nothing more). The SDK says nothing of a
    user's other branches; the strictest reading, which the simulator takes, is a move from
    wherever the user is: each listed user leaves every branch and joins every listed one."""
    user_ids, branch_ids = _users_and_branches(state, body_object(request))
    for user_id in user_ids:
        for branch_id, members in state.branch_users.items():
            if user_id in members and branch_id not in branch_ids:
                state.set_member(state.branch_users, branch_id, user_id, on=False)
        for branch_id in branch_ids:
            state.set_member(state.branch_users, branch_id, user_id, on=True)
    return json_response({"data": {"success": True}})


def _users_and_branches(state: DoceboState, body: dict[str, object]) -> tuple[list[int], list[int]]:
    """`user_ids` and `branch_ids`, each a non-empty list of known ids (else 400, naming the
    unknown ones), at most 1,000 users."""
    user_ids, branch_ids = id_list(body, "user_ids"), id_list(body, "branch_ids")
    at_most(user_ids, "users")
    at_most(branch_ids, "branches")
    require_known(state, user_ids, branch_ids)
    return user_ids, branch_ids


def delete_users(state: DoceboState, request: Request) -> Response:
    """DELETE /manage/v1/user/delete: {"user_ids": [..]} and/or {"user_names": [..]}."""
    found, errors = _users_named(state, body_object(request))
    for user_id in found:
        state.remove_user(user_id)
    data = {"success": not errors, "deleted_user_ids": found, "errors": errors}
    return json_response({"data": data})


def _users_named(state: DoceboState, body: dict[str, object]) -> tuple[list[int], list[str]]:
    """The known user ids a delete names (once each), and a line per unknown id or name."""
    if "user_ids" not in body and "user_names" not in body:
        raise HttpError(400, "'user_ids' or 'user_names' is required")
    ids = id_list(body, "user_ids") if "user_ids" in body else []
    names = _name_list(body) if "user_names" in body else []
    if len(ids) + len(names) > MAX_DELETE:
        raise HttpError(400, f"At most {MAX_DELETE} users per call")
    by_name = {name: state.user_by_username(name) for name in names}
    found = [i for i in ids if i in state.users] + [u.user_id for u in by_name.values() if u]
    errors = [f"User not found: {i}" for i in ids if i not in state.users]
    errors += [f"User not found: {name}" for name, user in by_name.items() if user is None]
    return list(dict.fromkeys(found)), errors


def _name_list(body: dict[str, object]) -> list[str]:
    raw = body.get("user_names")
    if not isinstance(raw, list) or not raw or not all(isinstance(n, str) and n for n in raw):
        raise HttpError(400, "'user_names' must be a non-empty list of usernames")
    return list(dict.fromkeys(raw))


def require_known(state: DoceboState, user_ids: Iterable[int], branch_ids: Iterable[int]) -> None:
    """400 naming every unknown user and branch id."""
    users = [str(i) for i in user_ids if i not in state.users]
    branches = [str(i) for i in branch_ids if i not in state.branches]
    problems = [
        f"{kind} not found: {', '.join(ids)}"
        for kind, ids in (("Users", users), ("Branches", branches))
        if ids
    ]
    if problems:
        raise HttpError(400, "; ".join(problems))


def _set_active(state: DoceboState, user: User, active: bool) -> None:
    if user.active != active:
        state.put_user(replace(user, active=active, last_update=state.now_text()))
