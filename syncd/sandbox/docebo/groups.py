"""Docebo group endpoints: list, create, rename, delete, and members.

Group names are unique (a name in use answers 400). Adding a member twice
or removing a non-member succeeds (the call states the wanted end state);
unknown user ids become error lines, the rest still applies. The member
writes answer the ids they did, or only `{"success": true}` under the
`group_member_answer="success"` knob (no public source shows that answer).
Members render with the era's columns (the modern ones are ingestr's).
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.docebo.limits import at_most
from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import Group, User
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import as_id, body_object, id_list, text_field
from syncd.sandbox.messages import HttpError, Request, Response, json_response

GROUPS: ListSpec[Group] = ListSpec(
    name="groups",
    default_sort="group_id",
    sorts={"group_id": lambda g: g.group_id, "name": lambda g: g.name.casefold()},
    render=lambda g: {"group_id": g.group_id, "name": g.name, "description": g.description},
)


def member_spec(state: DoceboState, group_id: int) -> ListSpec[User]:
    render = _modern_member if state.era == "modern" else _member_2017
    return ListSpec(
        name="group_members",
        default_sort="user_id",
        sorts={"user_id": lambda u: u.user_id, "username": lambda u: u.username.casefold()},
        render=lambda u: render(group_id, u),
    )


def _member_2017(group_id: int, user: User) -> dict[str, object]:
    return {"user_id": user.user_id, "username": user.username}


def _modern_member(group_id: int, user: User) -> dict[str, object]:
    """ingestr's `group_members` columns; no membership date is kept (null)."""
    return {
        "group_id": group_id,
        "user_id": str(user.user_id),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "level": user.level,
        "enrollment_date": None,
    }


def list_groups(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/group."""
    request = resolve(state, request)
    return list_page(state, request, GROUPS, (), state.groups.values)


def create_group(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/group: {"name", "description"?}."""
    body = body_object(request)
    name = _free_name(state, text_field(body, "name", required=True) or "", None)
    group = state.add_group(name, text_field(body, "description") or "")
    return json_response({"data": {"group_id": group.group_id}})


def update_group(state: DoceboState, request: Request) -> Response:
    """PUT /manage/v1/group/{id}: {"name", "description"?}."""
    group = _path_group(state, request)
    body = body_object(request)
    name = _free_name(state, text_field(body, "name", required=True) or "", group.group_id)
    description = text_field(body, "description")
    if description is None:
        description = group.description
    changed = replace(group, name=name, description=description)
    if changed != group:
        state.put_group(replace(changed, last_update=state.now_text()))
    return json_response({"data": {"success": True}})


def delete_group(state: DoceboState, request: Request) -> Response:
    """DELETE /manage/v1/group/{id}."""
    state.remove_group(_path_group(state, request).group_id)
    return json_response({"data": {"success": True}})


def list_members(state: DoceboState, request: Request) -> Response:
    """GET /manage/v1/group/{id}/members."""
    request = resolve(state, request)
    group_id = _path_group(state, request).group_id
    spec = member_spec(state, group_id)
    return list_page(state, request, spec, (group_id,), lambda: state.users_in_group(group_id))


def add_members(state: DoceboState, request: Request) -> Response:
    """POST /manage/v1/group/{id}/members: {"user_ids": [..]}."""
    return _change_members(state, request, on=True)


def remove_members(state: DoceboState, request: Request) -> Response:
    """DELETE /manage/v1/group/{id}/members: {"user_ids": [..]}."""
    return _change_members(state, request, on=False)


def _change_members(state: DoceboState, request: Request, *, on: bool) -> Response:
    group = _path_group(state, request)
    user_ids = id_list(body_object(request), "user_ids")
    at_most(user_ids, "users")
    done: list[int] = []
    errors: list[str] = []
    for user_id in user_ids:
        if user_id not in state.users:
            errors.append(f"User not found: {user_id}")
            continue
        state.set_member(state.group_users, group.group_id, user_id, on)
        done.append(user_id)
    if state.member_answer == "success":
        return json_response({"data": {"success": True}})
    return json_response({"data": {"success": done, "errors": errors}})


def _path_group(state: DoceboState, request: Request) -> Group:
    raw = request.params["id"]
    group_id = as_id(raw)
    if group_id is None:
        raise HttpError(400, f"Invalid group id: {raw}")
    if group_id not in state.groups:
        raise HttpError(404, f"Group not found: {raw}")
    return state.groups[group_id]


def _free_name(state: DoceboState, name: str, owner: int | None) -> str:
    holder = state.group_by_name(name)
    if holder is not None and holder.group_id != owner:
        raise HttpError(400, f"Group name already in use: {name}")
    return name
