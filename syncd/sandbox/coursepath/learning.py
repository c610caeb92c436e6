"""Coursepath courses, course enrollment (`coursemember`) and programs (`programmember`).

Course lists answer 100 a page by default. `coursemember` GET reads the
learner's result (with the date she was enrolled, on the simulator's clock, and the
certificate once passed), POST enrolls (201, or 200 when already enrolled) and
DELETE removes the learner **and deletes their result** (the seed's warning):
enrolling again starts from an empty result. Programs work the same, without results.
"""

from __future__ import annotations

from syncd.sandbox.coursepath.members import member_page
from syncd.sandbox.coursepath.records import Course, Enrollment, Member, Program
from syncd.sandbox.coursepath.state import CoursepathState
from syncd.sandbox.coursepath.wire import check_query, error, page_of, path_record
from syncd.sandbox.messages import Request, Response, json_response

COURSES_LIMIT = 100


def render_course(course: Course) -> dict[str, object]:
    return {"id": course.id, "code": course.code, "name": course.name}


def render_result(request: Request, item: Enrollment) -> dict[str, object]:
    """A coursemember: the enrollment's date, then the learner's result in the course."""
    certificate = None
    if item.success and item.completed is not None:
        certificate = f"{request.origin}/certificates/{item.course_id}/{item.member_id}.pdf"
    return {
        "courseId": item.course_id,
        "memberId": item.member_id,
        "enrolledDate": item.enrolled,
        "score": item.score,
        "success": item.success,
        "completedDate": item.completed,
        "certificate": certificate,
    }


def list_courses(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/courses."""
    check_query(request, ())
    return page_of(request, list(state.courses.values()), render_course, COURSES_LIMIT)


def get_course(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/courses/{courseId}."""
    return json_response(render_course(_course(state, request)))


def member_courses(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/members/{memberId}/courses: the courses the member learns in."""
    member = _member(state, request)
    check_query(request, ())
    courses = [state.courses[course_id] for course_id in state.member_courses(member.id)]
    return page_of(request, courses, render_course, COURSES_LIMIT)


def course_members(state: CoursepathState, request: Request) -> Response:
    """GET /api/v1/courses/{courseId}/members, with the member filters."""
    course = _course(state, request)
    return member_page(request, (state.members[i] for i in state.course_members(course.id)))


def get_coursemember(state: CoursepathState, request: Request) -> Response:
    """GET .../coursemember: the learner's result; 404 when not enrolled."""
    course, member = _course(state, request), _member(state, request)
    item = state.enrollments.get((course.id, member.id))
    if item is None:
        raise error(404, f"Member {member.id} is not in course {course.id}")
    return json_response(render_result(request, item))


def post_coursemember(state: CoursepathState, request: Request) -> Response:
    """POST .../coursemember: enroll; 201 when new, 200 when already enrolled."""
    course, member = _course(state, request), _member(state, request)
    created = state.enroll(course.id, member.id)
    item = state.enrollments[(course.id, member.id)]
    return json_response(render_result(request, item), 201 if created else 200)


def delete_coursemember(state: CoursepathState, request: Request) -> Response:
    """DELETE .../coursemember: unenroll and delete the result; 404 when not enrolled."""
    course, member = _course(state, request), _member(state, request)
    if (course.id, member.id) not in state.enrollments:
        raise error(404, f"Member {member.id} is not in course {course.id}")
    state.unenroll(course.id, member.id)
    return Response(204)


def post_programmember(state: CoursepathState, request: Request) -> Response:
    """POST .../programmember: 201 when added, 200 when already in the program."""
    program, member = _program(state, request), _member(state, request)
    pair = (program.id, member.id)
    created = pair not in state.program_members
    state.program_members.add(pair)
    return json_response({"programId": program.id, "memberId": member.id}, 201 if created else 200)


def delete_programmember(state: CoursepathState, request: Request) -> Response:
    """DELETE .../programmember: 204; 404 when not in the program."""
    program, member = _program(state, request), _member(state, request)
    if (program.id, member.id) not in state.program_members:
        raise error(404, f"Member {member.id} is not in program {program.id}")
    state.program_members.discard((program.id, member.id))
    return Response(204)


def _course(state: CoursepathState, request: Request) -> Course:
    return path_record(state.courses, request, "course_id", "Course")


def _program(state: CoursepathState, request: Request) -> Program:
    return path_record(state.programs, request, "program_id", "Program")


def _member(state: CoursepathState, request: Request) -> Member:
    return path_record(state.members, request, "member_id", "Member")
