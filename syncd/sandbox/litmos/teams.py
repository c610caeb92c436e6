"""Handlers of /v1.svc/teams: teams, sub-teams and team members.

Creation answers 201 with `{Id, Name, Description}` (a name in use, anywhere in the
tree: 409 "Team name already exists"); `GET /teams` lists every team, sub-teams
included, and `GET /teams/{teamId}/teams` a team's direct sub-teams, both as
`{Id, Name, TeamCodeForBulkImport}`: the tree is kept in state and shown only there.
`POST /teams/{teamId}/users` takes a bare array (or the spec's wrapper) and answers 201
with an empty body; the member list shows active users only. Under the app lock.
"""

from __future__ import annotations

from syncd.sandbox.litmos import render, wire, words
from syncd.sandbox.litmos.state import LitmosState, SentMessage, Team
from syncd.sandbox.litmos.users import SEARCHED, body_object, flag
from syncd.sandbox.messages import HttpError, Request, Response


def list_teams(state: LitmosState, request: Request) -> Response:
    """Every team, sub-teams too: the capture's list items carry no parent, and the same
    author's team_hierarchy.py finds the roots among `Team.all()` (docs/lms/litmos.md)."""
    items = [render.team_item(t) for t in state.teams.values()]
    return Response(200, wire.page(request, wire.search_sort(request, items, ("Name",))))


def create_team(state: LitmosState, request: Request) -> Response:
    return Response(201, render.team_full(_new_team(state, request, "")))


def get_team(state: LitmosState, request: Request) -> Response:
    return Response(200, render.team_full(state.team(request.params["teamId"])))


def create_sub_team(state: LitmosState, request: Request) -> Response:
    parent = state.team(request.params["teamId"])
    return Response(201, render.team_full(_new_team(state, request, parent.id)))


def list_sub_teams(state: LitmosState, request: Request) -> Response:
    parent = state.team(request.params["teamId"])
    items = [render.team_item(t) for t in state.teams.values() if t.parent_id == parent.id]
    return Response(200, wire.page(request, wire.search_sort(request, items, ("Name",))))


def _new_team(state: LitmosState, request: Request, parent_id: str) -> Team:
    """A team from a validated Team body: Id "" and a Name (strictest reading of the
    captures, which always send Id ""), ParentTeamId absent, "" or the path's team."""
    body = body_object(request)
    name, description = str(body["Name"]), str(body.get("Description", ""))
    if body["Id"] != "" or not name.strip():
        raise HttpError(400, words.TEAM_BAD_BODY)
    if body.get("ParentTeamId", "") not in ("", parent_id):
        raise HttpError(400, words.TEAM_BAD_BODY)
    return add_team(state, name, description, parent_id)


def add_team(
    state: LitmosState, name: str, description: str, parent_id: str, team_id: str | None = None
) -> Team:
    if state.team_name_taken(name):
        raise HttpError(409, words.TEAM_NAME_TAKEN)
    new_id, original = state.next_id(team_id)
    team = Team(new_id, name, description, parent_id, original)
    state.teams[new_id] = team
    return team


def list_members(state: LitmosState, request: Request) -> Response:
    team = state.team(request.params["teamId"])
    users = [
        render.user_item(u)
        for u in state.users.values()
        if u.active and (team.id, u.id) in state.members
    ]
    return Response(200, wire.page(request, wire.search_sort(request, users, SEARCHED)))


def add_members(state: LitmosState, request: Request) -> Response:
    """Add users (an unknown one: 404 and nothing added); `sendmessage=true` records a
    login email to each user new to the team (spec: "send login emails to new users")."""
    team = state.team(request.params["teamId"], words.NO_TEAM_OR_USERS)
    ids = id_list(request.body, "User")
    if not ids:
        raise HttpError(404, words.NO_TEAM_OR_USERS)
    for user_id in ids:
        state.user(user_id)
    new = [user_id for user_id in dict.fromkeys(ids) if (team.id, user_id) not in state.members]
    state.members.update((team.id, user_id) for user_id in new)
    if flag(request, "sendmessage") is True:
        state.sent.extend(SentMessage("login", user_id) for user_id in new)
    return Response(201)


def remove_member(state: LitmosState, request: Request) -> Response:
    team = state.team(request.params["teamId"], words.NO_TEAM_OR_USER)
    member = (team.id, state.user(request.params["userId"], words.NO_TEAM_OR_USER).id)
    if member not in state.members:
        raise HttpError(404, words.NOT_A_MEMBER)
    state.members.discard(member)
    return Response(200)


def id_list(body: object, wrapper: str | None) -> list[str]:
    """The `Id`s of a list body in a shape validation admitted (`{wrapper: [...]}`, or a
    bare array where a deviation allows one); an item without an Id: 400."""
    items = body.get(wrapper, []) if isinstance(body, dict) and wrapper else body
    if not isinstance(items, list):
        raise HttpError(400, words.SEED_BAD_REQUEST)
    ids = [item.get("Id") if isinstance(item, dict) else None for item in items]
    if not all(isinstance(i, str) and i for i in ids):
        raise HttpError(400, words.SEED_BAD_REQUEST)
    return [str(i) for i in ids]
