"""The Docebo simulator's routes, per API era: what each (method, path) runs.

`ROUTES` are served in both eras (the 2017 SDK's endpoints, which a tenant of
today still serves); `MODERN_ROUTES` only in the modern era, so a 2017 platform
answers them 404 like any unknown path. The serial flag marks docs/lms/docebo.md's
set of calls that must never overlap.
"""

from __future__ import annotations

from collections.abc import Callable

from syncd.sandbox.docebo import (
    audiences,
    course_enrollments,
    groups,
    learn,
    orgchart,
    orgchart_batch,
    users,
)
from syncd.sandbox.docebo.records import ApiEra
from syncd.sandbox.docebo.state import DoceboState
from syncd.sandbox.docebo.user_batch import user_batch
from syncd.sandbox.messages import Request, Response

StateHandler = Callable[[DoceboState, Request], Response]
RouteRow = tuple[str, str, StateHandler, bool]

# (method, pattern, handler, serial)
ROUTES: tuple[RouteRow, ...] = (
    ("GET", "/manage/v1/user", users.list_users, False),
    ("POST", "/manage/v1/user/batch", user_batch, True),
    ("PUT", "/manage/v1/user/change_status", users.change_status, False),
    ("PUT", "/manage/v1/user/remove_from_branch", users.remove_from_branch, False),
    ("PUT", "/manage/v1/user/move_to_branch", users.move_to_branch, False),
    ("DELETE", "/manage/v1/user/delete", users.delete_users, False),
    ("GET", "/manage/v1/orgchart", orgchart.list_children, False),
    ("POST", "/manage/v1/orgchart", orgchart.create_branch, True),
    ("POST", "/manage/v1/orgchart/assign_users", orgchart.assign_users, False),
    ("POST", "/manage/v1/orgchart/batch", orgchart_batch.import_branches, True),
    ("DELETE", "/manage/v1/orgchart/batch", orgchart_batch.delete_branches, True),
    ("GET", "/manage/v1/orgchart/{branch_id}", orgchart.get_branch, False),
    ("PUT", "/manage/v1/orgchart/{branch_id}", orgchart.update_branch, True),
    ("DELETE", "/manage/v1/orgchart/{branch_id}", orgchart.delete_branch, True),
    ("POST", "/manage/v1/orgchart/{branch_id}/move", orgchart.move_branch, True),
    ("GET", "/manage/v1/orgchart/{branch_id}/users", orgchart.branch_users, False),
    ("GET", "/manage/v1/group", groups.list_groups, False),
    ("POST", "/manage/v1/group", groups.create_group, False),
    ("PUT", "/manage/v1/group/{id}", groups.update_group, False),
    ("DELETE", "/manage/v1/group/{id}", groups.delete_group, False),
    ("GET", "/manage/v1/group/{id}/members", groups.list_members, False),
    ("POST", "/manage/v1/group/{id}/members", groups.add_members, False),
    ("DELETE", "/manage/v1/group/{id}/members", groups.remove_members, False),
    ("GET", "/learn/v1/courses", learn.list_courses, False),
    ("GET", "/learn/v1/enrollments", learn.list_enrollments, False),
    ("POST", "/learn/v1/enrollments", learn.enroll, False),
    ("DELETE", "/learn/v1/enrollments", learn.unenroll, False),
)

# The lists a read client of today walks that the 2017 API did not have.
MODERN_ROUTES: tuple[RouteRow, ...] = (
    ("GET", "/audiences/v1/audience", audiences.list_audiences, False),
    (
        "GET",
        "/course/v1/courses/{id}/enrollments",
        course_enrollments.list_course_enrollments,
        False,
    ),
)


def routes_of(era: ApiEra) -> tuple[RouteRow, ...]:
    return ROUTES + MODERN_ROUTES if era == "modern" else ROUTES
