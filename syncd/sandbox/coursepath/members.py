"""Coursepath member endpoints: lists with filters, read, me, create, update.

Member lists (250 a page by default) take the filters `email` (ignoring
case) and the profile fields (exactly), combined with AND. Create needs
only `email` (unique ignoring case: 409); without `name` one is derived
from the email. Update is `POST /members/{id}` with any create field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from syncd.sandbox.coursepath.forms import body_fields, derived_name, member_changes
from syncd.sandbox.coursepath.records import PROFILE_FIELDS, Course, Member, Program
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.coursepath.tokens import verify
from syncd.sandbox.coursepath.wire import check_query, error, page_of, path_record
from syncd.sandbox.messages import Request, Response, json_response

MEMBERS_LIMIT = 250
FILTERS = ("email", *PROFILE_FIELDS)


def render_member(member: Member) -> dict[str, object]:
    item: dict[str, object] = {"id": member.id, "email": member.email, "name": member.name}
    item.update({name: member.field(name) for name in PROFILE_FIELDS})
    item["active"] = member.active
    return item


def member_page(request: Request, members: Iterable[Member]) -> Response:
    """A filtered page of `members` (for every member list)."""
    check_query(request, FILTERS)
    found = [member for member in members if _matches(request, member)]
    return page_of(request, sorted(found, key=lambda m: m.id), render_member, MEMBERS_LIMIT)


def list_members(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/members."""
    return member_page(request, state.members.values())


def get_member(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/members/{memberId}."""
    return json_response(render_member(path_record(state.members, request, "member_id", "Member")))


def get_me(state: CoursepathState, secret: str, request: Request) -> Response:
    """GET /api/v1/members/me: the member the JWT names (authorized before routing)."""
    _, _, token = (request.header("authorization") or "").partition(" ")
    member = state.member_with_email(verify(token.strip(), secret).email)
    if member is None:
        raise error(404, "Member not found")
    return json_response(render_member(member))


def create_member(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/members: {"email", "name"?, profile fields?, "active"?} -> 201."""
    return json_response(render_member(new_member(state, request)), 201)


def update_member(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/members/{memberId}: the fields given change, the others stay."""
    member = path_record(state.members, request, "member_id", "Member")
    changes = member_changes(body_fields(request, optional=True), creating=False)
    email = changes.email or member.email
    _check_email_free(state, email, member.id)
    profile = {**member.profile, **changes.profile}
    member = replace(
        member,
        email=email,
        name=changes.name or member.name,
        active=member.active if changes.active is None else changes.active,
        profile={key: value for key, value in profile.items() if value is not None},
    )
    state.put_member(member)
    return json_response(render_member(member))


def create_in_course(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/courses/{courseId}/members: create, then enroll as learner."""
    course: Course = path_record(state.courses, request, "course_id", "Course")
    member = new_member(state, request)
    state.enroll(course.id, member.id)
    return json_response(render_member(member), 201)


def create_in_program(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/programs/{programId}/members: create, then add to the program."""
    program: Program = path_record(state.programs, request, "program_id", "Program")
    member = new_member(state, request)
    state.program_members.add((program.id, member.id))
    return json_response(render_member(member), 201)


def new_member(state: CoursepathState, request: Request) -> Member:
    """A member created from the request body (400/409 when it breaks a rule)."""
    changes = member_changes(body_fields(request), creating=True)
    email = changes.email or ""
    _check_email_free(state, email, None)
    profile = {key: value for key, value in changes.profile.items() if value is not None}
    active = True if changes.active is None else changes.active
    name = changes.name or derived_name(email)
    member = Member(state.next_id("member"), email, name, profile, active)
    state.put_member(member)
    return member


def _check_email_free(state: CoursepathState, email: str, member_id: int | None) -> None:
    holder = state.member_with_email(email)
    if holder is not None and holder.id != member_id:
        raise error(409, f"A member with email {email} already exists")


def _matches(request: Request, member: Member) -> bool:
    for name in FILTERS:
        wanted = request.arg(name)
        if wanted is None:
            continue
        value = member.email.casefold() if name == "email" else member.field(name)
        if value != (wanted.casefold() if name == "email" else wanted):
            return False
    return True
