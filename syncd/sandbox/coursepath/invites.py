"""Coursepath invitations: academy-, course- and program-scoped, recorded, never mailed.

Each `POST .../invite` answers 204 and appends an `Invitation` (the member's
email, the scope and its code, the `mail[subject]`/`mail[body]`/`mail[action]`
override when given). A course or program invite needs the member in it (404).
"""

from __future__ import annotations

from syncd.sandbox.coursepath.forms import body_fields, mail_override
from syncd.sandbox.coursepath.records import Invitation, Member
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.coursepath.wire import error, path_record
from syncd.sandbox.messages import Request, Response


def invite_member(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/members/{memberId}/invite."""
    return _send(state, request, _member(state, request), "academy", None)


def invite_to_course(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/courses/{courseId}/members/{memberId}/invite."""
    course = path_record(state.courses, request, "course_id", "Course")
    member = _member(state, request)
    if (course.id, member.id) not in state.enrollments:
        raise error(404, f"Member {member.id} is not in course {course.id}")
    return _send(state, request, member, "course", course.code)


def invite_to_program(state: CoursepathState, request: Request) -> Response:
    """POST /api/v1/programs/{programId}/members/{memberId}/invite."""
    program = path_record(state.programs, request, "program_id", "Program")
    member = _member(state, request)
    if (program.id, member.id) not in state.program_members:
        raise error(404, f"Member {member.id} is not in program {program.id}")
    return _send(state, request, member, "program", program.code)


def _send(
    state: CoursepathState, request: Request, member: Member, scope: str, code: str | None
) -> Response:
    mail = mail_override(body_fields(request, optional=True))
    invitation = Invitation(
        email=member.email,
        scope=scope,
        code=code,
        subject=mail.get("subject"),
        body=mail.get("body"),
        action=mail.get("action"),
        sent_at=state.now_text(),
    )
    state.invitations.append(invitation)
    return Response(204)


def _member(state: CoursepathState, request: Request) -> Member:
    return path_record(state.members, request, "member_id", "Member")
