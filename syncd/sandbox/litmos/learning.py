"""Handlers of courses, course assignment, course results and achievements.

`POST /users/{userId}/courses` takes the spec's Body_6 `{"Course": [{"Id": …}]}` and
answers 200 with an empty body; it records an assignment email per course unless
`sendmessage=false` (spec: "By default, emails will be sent"). `DELETE` unassigns;
`GET /results/details?since=&to=` lists results updated in that window and
`GET /achievements?since=` the completion records `complete` leaves, with their scores.
Query values arrive validated (validation.py). Under the app lock.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.litmos import render, wire, words
from syncd.sandbox.litmos.state import Achievement, Assignment, LitmosState, SentMessage
from syncd.sandbox.litmos.teams import id_list
from syncd.sandbox.litmos.users import flag
from syncd.sandbox.messages import HttpError, Request, Response

COURSE_SEARCHED = ("Name", "Code")
ACHIEVEMENT_SEARCHED = ("Title", "FirstName", "LastName")  # decided: the item's text fields


def list_courses(state: LitmosState, request: Request) -> Response:
    items = [render.course_full(c) for c in state.courses.values()]
    return Response(200, wire.page(request, wire.search_sort(request, items, COURSE_SEARCHED)))


def get_course(state: LitmosState, request: Request) -> Response:
    return Response(200, render.course_full(state.course(request.params["courseId"])))


def user_courses(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["userId"])
    items = [
        render.user_course(state.courses[a.course_id], a)
        for a in state.assignments.values()
        if a.user_id == user.id
    ]
    return Response(200, wire.page(request, wire.search_sort(request, items, COURSE_SEARCHED)))


def assign_courses(state: LitmosState, request: Request) -> Response:
    """Assign every course named (an unknown one: 404, nothing assigned; none: 400),
    keeping existing assignments as they are; an email per course named, unless
    `sendmessage=false`."""
    user = state.user(request.params["userId"])
    ids = id_list(request.body, "Course")
    if not ids:
        raise HttpError(400, words.SEED_BAD_REQUEST)
    for course_id in ids:
        state.course(course_id)
    for course_id in dict.fromkeys(ids):
        assign(state, user.id, course_id)
        if flag(request, "sendmessage") is not False:
            state.sent.append(SentMessage("course", user.id, course_id))
    return Response(200)


def assign(state: LitmosState, user_id: str, course_id: str) -> Assignment:
    """Assign once: an existing assignment is kept as it is."""
    key = (user_id, course_id)
    if key not in state.assignments:
        now = state.clock()
        state.assignments[key] = Assignment(user_id, course_id, now, now)
    return state.assignments[key]


def unassign_course(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["userId"])
    key = (user.id, state.course(request.params["courseId"]).id)
    if key not in state.assignments:
        raise HttpError(404, words.NOT_ASSIGNED)
    del state.assignments[key]
    return Response(200)


def result_details(state: LitmosState, request: Request) -> Response:
    """Results updated in `[since, to]` (both required by the spec), oldest first."""
    since, until = wire.moment_arg(request, "since"), wire.moment_arg(request, "to")
    found = [
        render.result_detail(state, a)
        for a in sorted(state.assignments.values(), key=lambda a: a.updated_at)
        if (since is None or a.updated_at >= since) and (until is None or a.updated_at <= until)
    ]
    return Response(200, wire.page(request, found))


def complete(
    state: LitmosState, user_id: str, course_id: str, score: float | None, at: float
) -> None:
    """Complete a course (assigning it first if needed) and record the achievement, dated
    `at`: every path that completes a course comes through here, so each completion
    leaves exactly one achievement."""
    current = assign(state, user_id, course_id)
    state.assignments[(user_id, course_id)] = replace(
        current, complete=True, percentage=100, score=score, completed_at=at, updated_at=at
    )
    achievement = Achievement(state.next_achievement_id(), user_id, course_id, at, score)
    state.achievements.append(achievement)


def achievements(state: LitmosState, request: Request) -> Response:
    """Achievements dated `since` or later (optional; compared at the whole second the
    date is shown with), oldest first, then search, sort/dir and paging."""
    since = wire.moment_arg(request, "since")
    found = [
        render.achievement(state, a)
        for a in sorted(state.achievements, key=lambda a: a.achieved_at)
        if since is None or whole_second(a.achieved_at) >= since
    ]
    listed = wire.search_sort(request, found, ACHIEVEMENT_SEARCHED)
    return Response(200, wire.page(request, listed))


def whole_second(moment: float) -> float:
    """A moment as its shown date says it (Litmos dates carry whole seconds)."""
    return float(int(moment // 1))
