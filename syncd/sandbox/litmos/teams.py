"""Handlers of /v1.svc/teams: teams, sub-teams and team members.

Creation answers 201 (a duplicate name 409 "Team name already exists"),
`POST /teams/{id}/users` takes a bare array of users and answers 201 with
an empty body, the member list shows active users only. Under the app lock.
"""

from __future__ import annotations

from syncd.sandbox.litmos import render, wire
from syncd.sandbox.litmos.state import LitmosState, Team
from syncd.sandbox.litmos.users import SEARCHED, SORTABLE, body_object, text
from syncd.sandbox.messages import HttpError, Request, Response


def list_teams(state: LitmosState, request: Request) -> Response:
    items = [render.team_item(t) for t in state.teams.values()]
    return Response(200, wire.page(request, wire.search_sort(request, items, ("Name",), ("Name",))))


def create_team(state: LitmosState, request: Request) -> Response:
    return Response(201, render.team_full(_new_team(state, request, "")))


def get_team(state: LitmosState, request: Request) -> Response:
    return Response(200, render.team_full(state.team(request.params["id"])))


def create_sub_team(state: LitmosState, request: Request) -> Response:
    parent = state.team(request.params["id"])
    return Response(201, render.team_full(_new_team(state, request, parent.id)))


def list_sub_teams(state: LitmosState, request: Request) -> Response:
    parent = state.team(request.params["id"])
    items = [render.team_item(t) for t in state.teams.values() if t.parent_id == parent.id]
    return Response(200, wire.page(request, items))


def _new_team(state: LitmosState, request: Request, parent_id: str) -> Team:
    body = body_object(request)
    return add_team(state, text(body, "Name"), text(body, "Description", ""), parent_id)


def add_team(state: LitmosState, name: str, description: str, parent_id: str) -> Team:
    if state.team_name_taken(name):
        raise HttpError(409, "Team name already exists")
    team_id, original = state.next_id()
    team = Team(team_id, name, description, parent_id, original)
    state.teams[team_id] = team
    return team


def list_members(state: LitmosState, request: Request) -> Response:
    team = state.team(request.params["id"])
    users = [
        render.user_item(u)
        for u in state.users.values()
        if u.active and (team.id, u.id) in state.members
    ]
    return Response(200, wire.page(request, wire.search_sort(request, users, SEARCHED, SORTABLE)))


def add_members(state: LitmosState, request: Request) -> Response:
    team = state.team(request.params["id"])
    ids = id_list(request.body)
    if not ids:
        raise HttpError(404, "No users to add to the team")
    for user_id in ids:
        state.user(user_id)
    state.members.update((team.id, user_id) for user_id in ids)
    return Response(201)


def remove_member(state: LitmosState, request: Request) -> Response:
    team = state.team(request.params["id"])
    member = (team.id, state.user(request.params["user_id"]).id)
    if member not in state.members:
        raise HttpError(404, "The user is not a member of the team")
    state.members.discard(member)
    return Response(200)


def id_list(body: object) -> list[str]:
    """The `Id`s of a bare JSON array of objects (or a spec-style {"X": [...]} wrapper)."""
    if isinstance(body, dict) and len(body) == 1:
        body = next(iter(body.values()))
    if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
        raise HttpError(400, "The request body must be a JSON array of objects with an Id")
    ids = [item.get("Id") for item in body]
    if not all(isinstance(i, str) and i for i in ids):
        raise HttpError(400, "Every item needs an Id")
    return [str(i) for i in ids]
