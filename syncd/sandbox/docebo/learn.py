"""Docebo learn endpoints: the course list and enrollments (list, add, remove).

Course items carry their id as `id_course` in both eras: the 2017 SDK's
`LearnCourseIndexItems` and a live tenant (riccardo-larosa/docebo-mcp-server's
contract test) agree; the enrollment list keeps Docebo's `id` for the course.

POST and DELETE `/learn/v1/enrollments` act on every listed user in every
listed course. Both report the resulting state: an already-enrolled pair is
listed as enrolled, a pair that was not enrolled as un-enrolled; an unknown
course or user is an error line naming it, and the rest still applies.

An enrollment carries the learner's progress, rendered in the list with the
names of Docebo's `GET /learn/v1/enrollments` items: `enroll_begin_date` (set
when enrolled, on the clock; re-enrolling keeps it), `course_complete_date`
(only while completed) and `score` (null until set). Tests record progress
with `DoceboSimulator.set_enrollment_progress`; no API call changes it.
"""

from __future__ import annotations

from syncd.sandbox.docebo.limits import at_most
from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import ENROLLMENT_LEVELS, Course, Enrollment
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import as_id, body_object, id_list
from syncd.sandbox.messages import HttpError, Request, Response, json_response

COURSES: ListSpec[Course] = ListSpec(
    name="courses",
    default_sort="id",
    sorts={
        "id": lambda c: c.id,
        "code": lambda c: c.code.casefold(),
        "name": lambda c: c.name.casefold(),
    },
    render=lambda c: {"id_course": c.id, "code": c.code, "name": c.name},
)


def enrollment_spec(state: DoceboState) -> ListSpec[Enrollment]:
    course = state.courses.__getitem__
    return ListSpec(
        name="enrollments",
        default_sort="id",
        sorts={
            "id": lambda e: (e.course_id, e.user_id),
            "user_id": lambda e: e.user_id,
            "code": lambda e: course(e.course_id).code.casefold(),
            "name": lambda e: course(e.course_id).name.casefold(),
            "status": lambda e: e.status,
            "enroll_begin_date": lambda e: e.enroll_begin_date,
        },
        render=lambda e: render_enrollment(course(e.course_id), e),
    )


def render_enrollment(course: Course, enrollment: Enrollment) -> dict[str, object]:
    return {
        "id": course.id,
        "user_id": enrollment.user_id,
        "code": course.code,
        "name": course.name,
        "status": enrollment.status,
        "enroll_begin_date": enrollment.enroll_begin_date,
        "course_complete_date": enrollment.course_complete_date,
        "score": enrollment.score,
    }


def list_courses(state: DoceboState, request: Request) -> Response:
    """GET /learn/v1/courses."""
    request = resolve(state, request)
    return list_page(state, request, COURSES, (), state.courses.values)


def list_enrollments(state: DoceboState, request: Request) -> Response:
    """GET /learn/v1/enrollments."""
    request = resolve(state, request)
    spec = enrollment_spec(state)
    return list_page(state, request, spec, (), state.enrollments.values)


def enroll(state: DoceboState, request: Request) -> Response:
    """POST /learn/v1/enrollments: {"course_ids", "user_ids", "level"?}."""
    body = body_object(request)
    level = _level(body.get("level"))
    courses, users, errors = _pairs(state, body)
    enrolled = []
    for course_id in courses:
        for user_id in users:
            state.enroll(course_id, user_id, "subscribed", level)
            enrolled.append({"id_user": user_id, "id_course": course_id})
    return json_response({"data": {"enrolled": enrolled, "errors": errors}})


def unenroll(state: DoceboState, request: Request) -> Response:
    """DELETE /learn/v1/enrollments: {"course_ids", "user_ids"}."""
    courses, users, errors = _pairs(state, body_object(request))
    removed = []
    for course_id in courses:
        for user_id in users:
            state.unenroll(course_id, user_id)
            removed.append({"id_user": user_id, "id_course": course_id})
    return json_response({"data": {"un_enrolled": removed, "errors": errors}})


def _pairs(state: DoceboState, body: dict[str, object]) -> tuple[list[int], list[int], list[str]]:
    """Known course ids, known user ids, and an error line per unknown one."""
    course_ids, user_ids = id_list(body, "course_ids"), id_list(body, "user_ids")
    at_most(range(len(course_ids) * len(user_ids)), "enrollments (courses times users)")
    errors = [f"Course not found: {i}" for i in course_ids if i not in state.courses]
    errors += [f"User not found: {i}" for i in user_ids if i not in state.users]
    courses = [i for i in course_ids if i in state.courses]
    return courses, [i for i in user_ids if i in state.users], errors


def _level(raw: object) -> int:
    if raw is None:
        return 3
    level = as_id(raw)
    if level is None or level not in ENROLLMENT_LEVELS:
        raise HttpError(400, "'level' must be 3 (student), 4 (tutor) or 6 (instructor)")
    return level
