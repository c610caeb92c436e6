"""Coursepath groups, identified by name when a member joins or leaves them.

`GET /groups` (500 a page by default) and `GET /members/{id}/groups` answer
`{"id", "name"}` items; `GET /groups/{id}/members` pages members as the
other member lists do. `POST /members/{id}/groups` with `name` in the body
joins (the group is created if new; 201, or 200 when already in);
`DELETE /members/{id}/groups` leaves the `name`d groups, or all without one.
"""

from __future__ import annotations

from syncd.sandbox.coursepath.forms import body_fields
from syncd.sandbox.coursepath.members import member_page
from syncd.sandbox.coursepath.records import Group, Member
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.coursepath.wire import check_query, error, page_of, path_record
from syncd.sandbox.messages import Request, Response, json_response

GROUPS_LIMIT = 500


def render_group(group: Group) -> dict[str, object]:
    return {"id": group.id, "name": group.name}


def list_groups(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/groups."""
    check_query(request, ())
    return page_of(request, list(state.groups.values()), render_group, GROUPS_LIMIT)


def group_members(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/groups/{groupId}/members, with the member filters."""
    group = path_record(state.groups, request, "group_id", "Group")
    return member_page(request, (state.members[i] for i in group.member_ids))


def member_groups(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/members/{memberId}/groups."""
    member = _member(state, request)
    check_query(request, ())
    return page_of(request, state.groups_of(member.id), render_group, GROUPS_LIMIT)


def join_group(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/members/{memberId}/groups {"name"}: 201 joined, 200 already in."""
    member = _member(state, request)
    body = body_fields(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise error(400, "'name' is required: the group's name")
    if set(body) != {"name"}:
        raise error(400, "Only 'name' is accepted")
    group, joined = state.join_group(member.id, name)
    return json_response(render_group(group), 201 if joined else 200)


def leave_groups(state: CoursepathState, request: Request) -> Response:
    """DELETE /api/v1/members/{memberId}/groups[?name=...]: 204; 404 for a group not joined."""
    member = _member(state, request)
    check_query(request, ("name",))
    names = request.query.get("name")
    if names is None:
        leaving = state.groups_of(member.id)
    else:
        leaving = [_joined(state, member, name) for name in dict.fromkeys(names)]
    for group in leaving:
        state.leave_group(member.id, group)
    return Response(204)


def _joined(state: CoursepathState, member: Member, name: str) -> Group:
    group = state.group_named(name)
    if group is None or member.id not in group.member_ids:
        raise error(404, f"Member {member.id} is not in group {name!r}")
    return group


def _member(state: CoursepathState, request: Request) -> Member:
    return path_record(state.members, request, "member_id", "Member")
