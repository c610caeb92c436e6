"""Handlers of /v1.svc/users: list, create, read, whole-object update, delete.

Creation answers 201 with the whole user (a `sendmessage=true` creation records a login
email; by default none, as the spec says), PUT replaces the whole user (an omitted field
returns to its default) and answers 200 with an empty body, as does DELETE (a hard
delete). Bodies arrive validated against the spec (validation.py); userchecks.py adds
the spec's worded rules. Called under the app lock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from syncd.sandbox.litmos import render, userchecks, wire, words
from syncd.sandbox.litmos.profile import Profile, from_body
from syncd.sandbox.litmos.state import LitmosState, SentMessage, User
from syncd.sandbox.messages import HttpError, Request, Response

SEARCHED = ("UserName", "FirstName", "LastName", "Email")


def flag(request: Request, name: str) -> bool | None:
    """An admitted boolean query flag (true/false, any case), or None when absent."""
    value = request.arg(name)
    return None if value is None else value.lower() == "true"


def body_object(request: Request) -> dict[str, Any]:
    """The body, which validation admitted as a JSON object for this operation."""
    if not isinstance(request.body, dict):
        raise HttpError(400, words.SEED_BAD_REQUEST)
    return {str(key): value for key, value in request.body.items()}


def list_users(state: LitmosState, request: Request) -> Response:
    """All users, inactive ones too (deactivate-user.yml lists one), unless
    `showInactive=false` (spec: "used to the filter active/inactive records")."""
    hide_inactive = flag(request, "showInactive") is False
    found = [u for u in state.users.values() if u.active or not hide_inactive]
    items = [render.user_item(u) for u in found]
    return Response(200, wire.page(request, wire.search_sort(request, items, SEARCHED)))


def create_user(state: LitmosState, request: Request) -> Response:
    body = body_object(request)
    userchecks.check_body(body, userchecks.CREATE)
    if body["Id"] != "":
        raise HttpError(400, words.CREATE_USER_BAD_BODY)
    profile = from_body(body)
    profile["SkipFirstLogin"] = flag(request, "skipfirstlogin") is True  # create-new-user.yml
    userchecks.check_profile(state, profile, "", userchecks.CREATE)
    user = add_user(state, profile)
    # The login email follows `sendmessage` alone. The spec describes no effect of the
    # User's `DisableMessages` (it only types it boolean and requires it), so the strictest
    # reading is that it stops no email: `sendmessage=true` with `DisableMessages: true`
    # still sends one, and `DisableMessages: false` without `sendmessage=true` sends none
    # ("By default, no emails will be sent when the user is created").
    if flag(request, "sendmessage") is True:
        state.sent.append(SentMessage("login", user.id))
    return Response(201, render.user_full(state, user))


def add_user(state: LitmosState, profile: Profile, user_id: str | None = None) -> User:
    new_id, original = state.next_id(user_id)
    user = User(new_id, original, state.clock(), profile)
    state.users[new_id] = user
    return user


def get_user(state: LitmosState, request: Request) -> Response:
    return Response(200, render.user_full(state, state.user(request.params["userId"])))


def update_user(state: LitmosState, request: Request) -> Response:
    user_id = request.params["userId"]
    body = body_object(request)
    userchecks.check_body(body, userchecks.UPDATE)
    if body["Id"] != user_id:
        raise HttpError(404, words.IDS_DIFFER)
    user = state.user(user_id)
    profile = from_body(body)
    userchecks.check_profile(state, profile, user.id, userchecks.UPDATE)
    state.users[user.id] = replace(user, profile=profile)
    return Response(200)


def delete_user(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["userId"], words.NO_USER_TO_DELETE)
    state.forget_user(user.id)
    return Response(200)
