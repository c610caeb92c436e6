"""Handlers of /v1.svc/users: list, create, read, full update, delete.

Creation answers 201 with the full user, a duplicate UserName 409
`{"Detail": "UserName already exists"}`; PUT (deactivation is `"Active":
false`) and DELETE answer 200 with an empty body. Called under the app lock.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.litmos import render, wire
from syncd.sandbox.litmos.state import LitmosState, User
from syncd.sandbox.messages import HttpError, Request, Response

SORTABLE = ("FirstName", "LastName", "UserName", "Active", "Email")
SEARCHED = ("UserName", "FirstName", "LastName", "Email")
DUPLICATE = "UserName already exists"


def body_object(request: Request) -> dict[str, object]:
    if not isinstance(request.body, dict):
        raise HttpError(400, "The request body must be a JSON object")
    return {str(k): v for k, v in request.body.items()}


def text(body: dict[str, object], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise HttpError(400, f"{key} is required and must be a string")
    return value


def flag(body: dict[str, object], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise HttpError(400, f"{key} must be true or false")
    return value


def list_users(state: LitmosState, request: Request) -> Response:
    items = [render.user_item(u) for u in state.users.values()]
    return Response(200, wire.page(request, wire.search_sort(request, items, SEARCHED, SORTABLE)))


def create_user(state: LitmosState, request: Request) -> Response:
    body = body_object(request)
    username = text(body, "UserName")
    if state.username_taken(username):
        raise HttpError(409, DUPLICATE)
    user = add_user(
        state,
        username,
        text(body, "FirstName"),
        text(body, "LastName"),
        text(body, "Email"),
        flag(body, "Active", True),
        text(body, "AccessLevel", "Learner"),
    )
    return Response(201, render.user_full(user))


def add_user(  # noqa: PLR0917 - the user's fields, in the order Litmos lists them
    state: LitmosState,
    username: str,
    first: str,
    last: str,
    email: str,
    active: bool,
    access_level: str = "Learner",
) -> User:
    user_id, original = state.next_id()
    user = User(
        user_id, username, first, last, email, active, access_level, original, state.clock()
    )
    state.users[user_id] = user
    return user


def get_user(state: LitmosState, request: Request) -> Response:
    return Response(200, render.user_full(state.user(request.params["id"])))


def update_user(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["id"])
    body = body_object(request)
    username = text(body, "UserName", user.username)
    if state.username_taken(username, but=user.id):
        raise HttpError(409, DUPLICATE)
    state.users[user.id] = replace(
        user,
        username=username,
        first=text(body, "FirstName", user.first),
        last=text(body, "LastName", user.last),
        email=text(body, "Email", user.email),
        active=flag(body, "Active", user.active),
        access_level=text(body, "AccessLevel", user.access_level),
    )
    return Response(200)


def delete_user(state: LitmosState, request: Request) -> Response:
    state.forget_user(state.user(request.params["id"]).id)
    return Response(200)
