"""HTTP requests by family, and the fewest requests Docebo's API allows for a cycle.

A family is the method and the simulator's route pattern (`GET /manage/v1/group/{id}/members`).
`min_reads` counts the pages a full read of the simulator's current state takes (200 a
page, one request even for an empty list) through the lists of its API era (modern: the
flattened tree, audiences, each course's enrollments; 2017: the tree level by level,
`/manage/v1/group`, `/learn/v1/enrollments`); `min_writes` counts the calls a plan needs
at 100 users a call, one call per branch or group write, per group and per course.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from math import ceil

from syncd.sandbox import DoceboSimulator
from syncd.sandbox.core import HttpError, LoggedRequest
from syncd.sandbox.docebo.state import DoceboState

PAGE = 200
USERS_PER_CALL = 100
OAUTH = "POST /oauth2/token"
USERS = "GET /manage/v1/user"
CHILDREN = "GET /manage/v1/orgchart"
BRANCH_USERS = "GET /manage/v1/orgchart/{branch_id}/users"
GROUPS = "GET /manage/v1/group"
AUDIENCES = "GET /audiences/v1/audience"
GROUP_MEMBERS = "GET /manage/v1/group/{id}/members"
COURSES = "GET /learn/v1/courses"
ENROLLMENTS = "GET /learn/v1/enrollments"
COURSE_ENROLLMENTS = "GET /course/v1/courses/{id}/enrollments"
USER_BATCH = "POST /manage/v1/user/batch"
CHANGE_STATUS = "PUT /manage/v1/user/change_status"

# (kind, group kind or "") -> family, for the writes that carry one object each.
ONE_EACH = {
    ("create_group", "org_unit"): "POST /manage/v1/orgchart",
    ("create_group", "group"): "POST /manage/v1/group",
    ("update_group", "org_unit"): "PUT /manage/v1/orgchart/{branch_id}",
    ("update_group", "group"): "PUT /manage/v1/group/{id}",
    ("move_group", "org_unit"): "POST /manage/v1/orgchart/{branch_id}/move",
    ("delete_group", "org_unit"): "DELETE /manage/v1/orgchart/{branch_id}",
    ("delete_group", "group"): "DELETE /manage/v1/group/{id}",
}
# (kind, group kind or "") -> family, for the writes that carry 100 users per group or course.
PER_100 = {
    ("add_member", "org_unit"): "POST /manage/v1/orgchart/assign_users",
    ("add_member", "group"): "POST /manage/v1/group/{id}/members",
    ("remove_member", "org_unit"): "PUT /manage/v1/user/remove_from_branch",
    ("remove_member", "group"): "DELETE /manage/v1/group/{id}/members",
    ("enroll", ""): "POST /learn/v1/enrollments",
    ("unenroll", ""): "DELETE /learn/v1/enrollments",
}


def family(sim: DoceboSimulator, method: str, path: str) -> str:
    """`METHOD pattern` of the route that served the request (the raw path if none did)."""
    try:
        return f"{method} {sim.router.match(method, path).route.pattern}"
    except HttpError:
        return f"{method} {path}"


def by_family(sim: DoceboSimulator, requests: Iterable[LoggedRequest]) -> Counter[str]:
    return Counter(family(sim, r.method, r.path) for r in requests)


def is_write(family_name: str) -> bool:
    return not family_name.startswith("GET ") and family_name != OAUTH


def _pages(count: int) -> int:
    return max(1, ceil(count / PAGE))


def min_reads(sim: DoceboSimulator) -> Counter[str]:
    """One OAuth call and the pages of a full read of the platform as it is now."""
    with sim.lock:
        state = sim.state
        floor = Counter({OAUTH: 1, USERS: _pages(len(state.users))})
        floor[BRANCH_USERS] = sum(
            _pages(len(state.branch_users.get(b, ()))) for b in state.branches
        )
        floor[GROUP_MEMBERS] = sum(_pages(len(state.group_users.get(g, ()))) for g in state.groups)
        floor[COURSES] = _pages(len(state.courses))
        floor += _modern_lists(state) if state.era == "modern" else _lists_2017(state)
    return +floor


def _modern_lists(state: DoceboState) -> Counter[str]:
    """The whole tree in one flattened listing, audiences, each course's enrollments."""
    per_course = Counter(course for course, _ in state.enrollments)
    return Counter(
        {
            CHILDREN: _pages(len(state.branches)),
            AUDIENCES: _pages(len(state.groups)),
            COURSE_ENROLLMENTS: sum(_pages(per_course[c]) for c in state.courses),
        }
    )


def _lists_2017(state: DoceboState) -> Counter[str]:
    """The root and each inner branch, the group list, the one enrollment list."""
    inner = [b for b in state.branches if state.children(b)]
    children = _pages(len(state.children(0))) + sum(_pages(len(state.children(b))) for b in inner)
    return Counter(
        {
            CHILDREN: children,
            GROUPS: _pages(len(state.groups)),
            ENROLLMENTS: _pages(len(state.enrollments)),
        }
    )


def min_writes(plan: Iterable[tuple[str, str]]) -> Counter[str]:
    """The fewest write calls for a plan of (kind, key) operations."""
    floor: Counter[str] = Counter()
    batched: Counter[tuple[str, str]] = Counter()  # (family, what one call is about) -> users
    for kind, key in plan:
        if kind in {"create_user", "update_user"}:  # one batch endpoint upserts both
            batched[(USER_BATCH, "")] += 1
        elif kind in {"deactivate_user", "reactivate_user"}:
            batched[(CHANGE_STATUS, kind)] += 1
        elif kind in {"create_group", "update_group", "move_group", "delete_group"}:
            floor[ONE_EACH[(kind, key.partition(":")[0])]] += 1
        elif kind in {"add_member", "remove_member"}:
            group = key.rpartition("/")[0]
            batched[(PER_100[(kind, group.partition(":")[0])], group)] += 1
        elif kind in {"enroll", "unenroll"}:
            batched[(PER_100[(kind, "")], key.partition("/")[2])] += 1
    for (name, _), users in batched.items():
        floor[name] += ceil(users / USERS_PER_CALL)
    return floor
