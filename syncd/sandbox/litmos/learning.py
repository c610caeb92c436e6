"""Handlers of courses, course assignment and course results.

`POST /users/{id}/courses` takes a bare array of courses (201, empty body),
`DELETE /users/{id}/courses/{course_id}` unassigns,
`GET /results/details?since=` lists results updated since a moment (406 on a
malformed date, formats as the spec gives them), and `GET /achievements?since=`
lists the completion records `complete` leaves, with their scores. Under the app lock.
"""

from __future__ import annotations

from dataclasses import replace

from syncd.sandbox.litmos import render, wire
from syncd.sandbox.litmos.state import Achievement, Assignment, LitmosState
from syncd.sandbox.litmos.teams import id_list
from syncd.sandbox.messages import HttpError, Request, Response


def list_courses(state: LitmosState, request: Request) -> Response:
    items = [render.course_full(c) for c in state.courses.values()]
    return Response(200, wire.page(request, wire.search_sort(request, items, ("Name", "Code"), ())))


def get_course(state: LitmosState, request: Request) -> Response:
    return Response(200, render.course_full(state.course(request.params["id"])))


def user_courses(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["id"])
    items = [
        render.user_course(state.courses[a.course_id], a)
        for a in state.assignments.values()
        if a.user_id == user.id
    ]
    return Response(200, wire.page(request, items))


def assign_courses(state: LitmosState, request: Request) -> Response:
    user = state.user(request.params["id"])
    ids = id_list(request.body)
    if not ids:
        raise HttpError(400, "No courses to assign")
    for course_id in ids:
        state.course(course_id)
    for course_id in ids:
        assign(state, user.id, course_id)
    return Response(201)


def assign(state: LitmosState, user_id: str, course_id: str) -> Assignment:
    """Assign once: an existing assignment is kept as it is."""
    key = (user_id, course_id)
    if key not in state.assignments:
        now = state.clock()
        state.assignments[key] = Assignment(user_id, course_id, now, now)
    return state.assignments[key]


def unassign_course(state: LitmosState, request: Request) -> Response:
    key = (state.user(request.params["id"]).id, state.course(request.params["course_id"]).id)
    if key not in state.assignments:
        raise HttpError(404, "The course is not assigned to the user")
    del state.assignments[key]
    return Response(200)


def result_details(state: LitmosState, request: Request) -> Response:
    since = wire.since_arg(request, "since", required=True)
    until = wire.since_arg(request, "to", required=False)
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
    """Achievements dated in `[since, to]` (both optional, both inclusive, compared at the
    whole second the date is shown with), oldest first, paged with start/limit."""
    since = wire.since_arg(request, "since", required=False)
    until = wire.since_arg(request, "to", required=False)
    found = [
        render.achievement(state, a)
        for a in sorted(state.achievements, key=lambda a: a.achieved_at)
        if (since is None or whole_second(a.achieved_at) >= since)
        and (until is None or whole_second(a.achieved_at) <= until)
    ]
    return Response(200, wire.page(request, found))


def whole_second(moment: float) -> float:
    """A moment as its shown date says it (Litmos dates carry whole seconds)."""
    return float(int(moment // 1))
