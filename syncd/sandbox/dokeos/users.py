"""Dokeos user endpoints: list, read, create, update, and the asynchronous delete.

Items leave out `group_ids`, `role_names`, `tag_ids` and `skills` unless
`response_attributes` asks for them. Usernames and emails are unique
ignoring case, external ids exactly (422 `has already been taken`).
`DELETE /user/:id` answers a 202 job; the user goes when it settles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from syncd.sandbox.dokeos.forms import TAKEN, Form
from syncd.sandbox.dokeos.jobs import accepted
from syncd.sandbox.dokeos.lists import page_of, path_record, response_attributes
from syncd.sandbox.dokeos.records import USER_ATTRIBUTES, DeleteUser, User
from syncd.sandbox.dokeos.state import DokeosState
from syncd.sandbox.messages import Request, Response, json_response

USER_FIELDS = ("username", "email", "firstname", "lastname", "external_id", "active")
ROLE_NAMES = ("learner",)
FILTERS = ("external_id", "email", "username")


def render_user(state: DokeosState, extra: frozenset[str], user: User) -> dict[str, object]:
    item: dict[str, object] = {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "external_id": user.external_id,
        "active": user.active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }
    fixed: dict[str, list[str]] = {"role_names": list(ROLE_NAMES), "tag_ids": [], "skills": []}
    for name in USER_ATTRIBUTES:
        if name in extra:
            item[name] = state.groups_of(user.id) if name == "group_ids" else fixed[name]
    return item


def list_users(state: DokeosState, request: Request) -> Response:
    """GET /users, filtered by `external_id`, `email` and `username`."""
    render = partial(render_user, state, response_attributes(request, USER_ATTRIBUTES))
    return page_of(state, request, _matching(state, request), render)


def get_user(state: DokeosState, request: Request) -> Response:
    """GET /users/{id}."""
    user = path_record(state.users, request, "User")
    extra = response_attributes(request, USER_ATTRIBUTES)
    return json_response({"data": render_user(state, extra, user)})


def create_user(state: DokeosState, request: Request) -> Response:
    """POST /users: {"username", "email", "firstname", "lastname", "external_id"?, "active"?}."""
    form = Form(request, USER_FIELDS)
    now = state.now_text()
    user = User(
        id=0,
        username=form.required_text("username"),
        email=form.email("email", required=True) or "",
        firstname=form.required_text("firstname"),
        lastname=form.required_text("lastname"),
        external_id=form.nullable_text("external_id"),
        active=_chosen(form.flag("active"), True),
        created_at=now,
        updated_at=now,
    )
    _check_unique(state, form, user)
    form.check()
    user = replace(user, id=state.next_id("user"))
    state.put_user(user)
    return json_response({"data": render_user(state, frozenset(), user)}, 201)


def update_user(state: DokeosState, request: Request) -> Response:
    """PUT /users/{id}: any of the fields of POST; `{"active": false}` deactivates."""
    user = path_record(state.users, request, "User")
    form = Form(request, USER_FIELDS)
    changed = _changed(user, form)
    _check_unique(state, form, changed)
    form.check()
    if changed != user:
        user = replace(changed, updated_at=state.now_text())
        state.put_user(user)
    return json_response({"data": render_user(state, frozenset(), user)})


def delete_user(state: DokeosState, request: Request) -> Response:
    """DELETE /user/{id} (singular): a job deleting the user, memberships and participations."""
    user = path_record(state.users, request, "User")
    return accepted(state, DeleteUser(user.id))


def _matching(state: DokeosState, request: Request) -> list[User]:
    finders: dict[str, Callable[[str], User | None]] = {
        "external_id": state.user_with_external_id,
        "email": state.user_with_email,
        "username": state.user_named,
    }
    users = list(state.users.values())
    for name in FILTERS:
        value = request.arg(name)
        if value is not None:
            found = finders[name](value)
            users = [user for user in users if found is not None and user.id == found.id]
    return users


def _changed(user: User, form: Form) -> User:
    external_id = form.nullable_text("external_id") if form.has("external_id") else user.external_id
    return replace(
        user,
        username=form.text("username") or user.username,
        email=form.email("email") or user.email,
        firstname=form.text("firstname") or user.firstname,
        lastname=form.text("lastname") or user.lastname,
        external_id=external_id,
        active=_chosen(form.flag("active"), user.active),
    )


def _check_unique(state: DokeosState, form: Form, user: User) -> None:
    """Note a 422 problem for each unique value another user holds."""
    holders = {
        "username": state.user_named(user.username) if user.username else None,
        "email": state.user_with_email(user.email) if user.email else None,
        "external_id": state.user_with_external_id(user.external_id)
        if user.external_id is not None
        else None,
    }
    for key, holder in holders.items():
        if holder is not None and holder.id != user.id and key not in form.problems:
            form.problems[key] = TAKEN


def _chosen(value: bool | None, default: bool) -> bool:
    return default if value is None else value
