"""`GET /course/v1/courses/{id}/enrollments`: one course's enrollments (modern era only).

The per-course list a read client of today walks (bruin-data/ingestr
`readCourseEnrollments`), with the columns of ingestr's `course_enrollments`
resource: `course_id`, `user_id` (text, as ingestr types it), `enrollment_date`,
`completion_date`, `level`, `score_given`, `score_total`, `total_time`,
`expire_date`, `certificate_id`. ingestr asks `extra_fields[]=enrollment_status`;
the simulator reads that strictly: `status` is only sent when it is asked.
An unknown course answers 404, a non-integer id 400.
"""

from __future__ import annotations

from syncd.sandbox.docebo.paging import ListSpec, list_page, resolve
from syncd.sandbox.docebo.records import Course, Enrollment
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.fields import as_id
from syncd.sandbox.messages import HttpError, Request, Response

STATUS_FIELD = "enrollment_status"
LEVELS = {3: "student", 4: "tutor", 6: "instructor"}


def spec(with_status: bool) -> ListSpec[Enrollment]:
    return ListSpec(
        name="course_enrollments",
        default_sort="user_id",
        sorts={
            "user_id": lambda e: e.user_id,
            "enrollment_date": lambda e: e.enroll_begin_date,
            "status": lambda e: e.status,
        },
        render=lambda e: render(e, with_status),
    )


def render(enrollment: Enrollment, with_status: bool) -> dict[str, object]:
    item: dict[str, object] = {
        "course_id": enrollment.course_id,
        "user_id": str(enrollment.user_id),
        "enrollment_date": enrollment.enroll_begin_date,
        "completion_date": enrollment.course_complete_date,
        "level": LEVELS.get(enrollment.level, str(enrollment.level)),
        "score_given": enrollment.score,
        "score_total": None,
        "total_time": 0,
        "expire_date": None,
        "certificate_id": None,
    }
    if with_status:
        item["status"] = enrollment.status
    return item


def list_course_enrollments(state: DoceboState, request: Request) -> Response:
    """GET /course/v1/courses/{id}/enrollments."""
    request = resolve(state, request)
    course_id = _path_course(state, request).id
    listing = spec(_asks_status(request))

    def source() -> list[Enrollment]:
        return [e for (course, _), e in state.enrollments.items() if course == course_id]

    return list_page(state, request, listing, (course_id,), source)


def _asks_status(request: Request) -> bool:
    asked = (*request.query.get("extra_fields[]", ()), *request.query.get("extra_fields", ()))
    return STATUS_FIELD in asked


def _path_course(state: DoceboState, request: Request) -> Course:
    raw = request.params["id"]
    course_id = as_id(raw)
    if course_id is None:
        raise HttpError(400, f"Invalid course id: {raw}")
    if course_id not in state.courses:
        raise HttpError(404, f"Course not found: {raw}")
    return state.courses[course_id]
