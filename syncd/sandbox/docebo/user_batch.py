"""`POST /manage/v1/user/batch`: create or update users, one result per row.

Rows run in order, each all-or-nothing: a row is validated completely before
it changes anything, and a failed row (`success: false`, `output.error`)
leaves the others alone. More than 1,000 items answers 400. A row's
`branch_code` places its user in the one branch with that code (none or
several: the row fails) unless `options.branch_option` is "do_nothing".
A row that creates a user sends them Docebo's notification email unless
`options.send_notification_email` is false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from syncd.sandbox.docebo.records import USER_LEVELS, User
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import as_id, body_object, bool_field, item_list, object_field
from syncd.sandbox.messages import HttpError, Request, Response, json_response

MAX_ITEMS = 1000
# 2017 SDK: "autocreate" | "existing"; today's importer definition: "existing" | "do_nothing".
# "autocreate" creates branches only from the path fields, which the simulator does not serve.
BRANCH_OPTIONS = frozenset({"autocreate", "existing", "do_nothing"})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# `send_notification_email` is a user batch option (2017 SDK `ManageUserBatchOptions`, the
# importer definition) whose default no source gives: the strictest reading is that a new
# user is emailed unless the option says false, so only a client that turns it off
# explicitly is sure to email nobody. No source says an update row emails anyone.
NOTIFY_BY_DEFAULT = True


class RowError(Exception):
    """One row refused; the message goes to `output.error`."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    user: User
    created: bool


@dataclass(frozen=True, slots=True)
class _Options:
    update: bool  # options.update_user_info
    place: bool  # whether a row's branch_code places its user (branch_option not "do_nothing")
    notify: bool  # options.send_notification_email


def user_batch(state: DoceboState, request: Request) -> Response:
    """Apply every item in order and answer the per-row results."""
    body = body_object(request)
    items = item_list(body, "items", MAX_ITEMS)
    options = _options(object_field(body, "options"))
    return json_response({"data": [_row(state, i, item, options) for i, item in enumerate(items)]})


def _options(raw: dict[str, object]) -> _Options:
    choice = raw.get("branch_option", "existing")
    if choice not in BRANCH_OPTIONS:
        raise HttpError(400, f"'branch_option' must be one of {', '.join(sorted(BRANCH_OPTIONS))}")
    return _Options(
        bool_field(raw, "update_user_info", False),
        choice != "do_nothing",
        bool_field(raw, "send_notification_email", NOTIFY_BY_DEFAULT),
    )


def _row(state: DoceboState, index: int, item: object, options: _Options) -> dict[str, object]:
    try:
        outcome = _apply(state, item, options)
    except RowError as err:
        username = item.get("username") if isinstance(item, dict) else None
        output = {"user_id": None, "username": username, "error": str(err)}
        return {"row_index": index, "success": False, "message": str(err), "output": output}
    user = outcome.user
    message = "User created" if outcome.created else "User updated"
    output = {"user_id": user.user_id, "username": user.username}
    return {"row_index": index, "success": True, "message": message, "output": output}


def _apply(state: DoceboState, item: object, options: _Options) -> _Outcome:
    if not isinstance(item, dict):
        raise RowError("Item must be an object")
    fields = {str(k): v for k, v in item.items()}
    existing = _target(state, fields, options.update)
    branch = _branch(state, fields) if options.place else None
    user = _merged(state, fields, existing, options.update)
    state.put_user(user)
    if branch is not None:
        _place(state, user.user_id, branch)
    if existing is None and options.notify:
        state.notified.append(user.user_id)
    return _Outcome(user, existing is None)


def _branch(state: DoceboState, item: dict[str, object]) -> int | None:
    """The branch a row's `branch_code` names (the 2017 SDK: "Identify a branch by its code.
    If not found, an error will be shown"; with "existing", "an error will be thrown when
    not a unique branch can be identified"): none or several fail the row."""
    code = _text(item, "branch_code")
    if code is None:
        return None
    found = state.branches_by_code(code)
    if len(found) != 1:
        raise RowError(f"Branch {'not found' if not found else 'code not unique'}: {code}")
    return found[0].id


def _place(state: DoceboState, user_id: int, branch_id: int) -> None:
    """The user ends in that branch only: for a user who existed, the strictest reading of
    an importer that moves users (`user_destination_branch_action`, whose "add" is
    ignored on platforms created after 2019-10-16) is that other branches are left."""
    for members in state.branch_users.values():
        if user_id in members and members is not state.branch_users.get(branch_id):
            members.discard(user_id)
    state.set_member(state.branch_users, branch_id, user_id, on=True)


def _target(state: DoceboState, item: dict[str, object], update: bool) -> User | None:
    """The user the row updates (None: it creates one)."""
    if item.get("user_id") is not None:
        user_id = as_id(item["user_id"])
        user = state.users.get(user_id) if user_id is not None else None
        if user is None:
            raise RowError(f"User not found: {item['user_id']}")
        return user
    username = _text(item, "username")
    if not username:
        raise RowError("Missing username")
    existing = state.user_by_username(username)
    if existing is not None and not update:
        raise RowError("User already exists")
    if existing is None and item.get("new_username") is not None:
        raise RowError(f"User not found: {username}")
    return existing


def _merged(state: DoceboState, item: dict[str, object], old: User | None, update: bool) -> User:
    """The row's user after the change, fully validated; allocates an id last."""
    now = state.now_text()
    base = old or User(0, _text(item, "username") or "", "", "", "", True, "user", now, now)
    merged = replace(
        base,
        username=_new_username(state, item, base, update),
        email=_email(state, item, base),
        first_name=_name(item, ("first_name", "firstname"), base.first_name),
        last_name=_name(item, ("last_name", "lastname"), base.last_name),
        active=_active(item, base.active),
        level=_level(item, base.level),
    )
    if old is not None:
        return merged if merged == old else replace(merged, last_update=now)
    return replace(merged, user_id=state.next_id("user"))


def _new_username(state: DoceboState, item: dict[str, object], base: User, update: bool) -> str:
    new = _text(item, "new_username")
    if new is None:
        return base.username
    if not update:
        raise RowError("new_username needs options.update_user_info")
    if not new.strip():
        raise RowError("new_username must not be empty")
    holder = state.user_by_username(new)
    if holder is not None and holder.user_id != base.user_id:
        raise RowError(f"Username already exists: {new}")
    return new


def _email(state: DoceboState, item: dict[str, object], base: User) -> str:
    email = _text(item, "email")
    if email is None:
        return base.email
    if not EMAIL.match(email):
        raise RowError(f"Invalid email: {email}")
    holder = state.user_by_email(email)
    if holder is not None and holder.user_id != base.user_id:
        raise RowError(f"Email already used by another user: {email}")
    return email


def _name(item: dict[str, object], keys: tuple[str, str], current: str) -> str:
    for key in keys:
        value = _text(item, key)
        if value is not None:
            return value
    return current


def _active(item: dict[str, object], current: bool) -> bool:
    value = item.get("active")
    if value is None:
        return current
    if not isinstance(value, bool):
        raise RowError("active must be a boolean")
    return value


def _level(item: dict[str, object], current: str) -> str:
    value = _text(item, "level")
    if value is None:
        return current
    if value not in USER_LEVELS:
        raise RowError(f"Invalid level: {value}")
    return value


def _text(item: dict[str, object], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RowError(f"{key} must be a string")
    return value
