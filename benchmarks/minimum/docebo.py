"""The fewest requests Docebo's API allows for a cycle, from the platform's state alone.

Reads (one OAuth call, lists of 200 a page, lms-apis.md 1.2): users; the whole branch
tree in one flattened listing; each branch's own users; audiences; each group's
members; courses; enrollments, as the one `/learn/v1/enrollments` list or each course's
list, whichever takes fewer pages. Writes: users 100 a `user/batch` (creates, updates,
and status changes when cheaper than `change_status` at 1,000 ids), a new user placed in
its branch inside the batch (`branch_code`), branches created, renamed and moved 1,000 a
`orgchart/batch`, existing users moved per destination branch (`move_to_branch`) or
added (`assign_users`) and removed (`remove_from_branch`) 1,000 a call per branch, group
members and enrollments 1,000 a call per group and per course. benchmarks/README.md cites
each limit.
"""

from __future__ import annotations

from collections import Counter

from benchmarks.minimum.rules import Minimum, calls, pages_by_count, per_group
from benchmarks.minimum.state import Changes, GroupKey, LmsState, Member, changes
from syncd.sandbox import DoceboSimulator

PAGE, USER_BATCH, IDS = 200, 100, 1000
ORG, GROUP = "org_unit", "group"


def read(sim: DoceboSimulator) -> LmsState:
    snap = sim.snapshot()
    groups: dict[GroupKey, tuple[str, GroupKey | None]] = {
        (ORG, code): (title, None if parent is None else (ORG, parent))
        for code, (title, parent) in snap.branches.items()
    }
    groups |= {(GROUP, name): (name, None) for name in snap.groups}
    members = {((ORG, code), user) for code, user in snap.branch_members}
    members |= {((GROUP, name), user) for name, user in snap.group_members}
    with sim.lock:
        courses = tuple(sorted(c.code for c in sim.state.courses.values()))
    return LmsState(dict(snap.users), groups, frozenset(members), snap.enrollments, courses=courses)


def key(kind: str, code: str, name: str) -> GroupKey:
    """A branch by its code, a group by its name."""
    return (kind, code if kind == ORG else name)


def reads(state: LmsState) -> Counter[str]:
    branches = [g for g in state.groups if g[0] == ORG]
    groups = [g for g in state.groups if g[0] == GROUP]
    floor = Counter(
        {
            "POST /oauth2/token": 1,
            "GET /manage/v1/user": pages_by_count(len(state.users), PAGE),
            "GET /manage/v1/orgchart": pages_by_count(len(branches), PAGE),
            "GET /audiences/v1/audience": pages_by_count(len(groups), PAGE),
            "GET /learn/v1/courses": pages_by_count(len(state.courses), PAGE),
        }
    )
    floor["GET /manage/v1/orgchart/{branch_id}/users"] = sum(
        pages_by_count(state.members_of(b), PAGE) for b in branches
    )
    floor["GET /manage/v1/group/{id}/members"] = sum(
        pages_by_count(state.members_of(g), PAGE) for g in groups
    )
    per_course = sum(pages_by_count(state.enrolled_in(c), PAGE) for c in state.courses)
    whole = pages_by_count(len(state.enrollments), PAGE)
    if whole <= per_course:
        floor["GET /learn/v1/enrollments"] = whole
    else:
        floor["GET /course/v1/courses/{id}/enrollments"] = per_course
    return floor


def writes(before: LmsState, after: LmsState) -> Counter[str]:
    change = changes(before, after)
    floor = _users(change) + _branches(change, after) + _branch_members(change, after)
    floor["POST /manage/v1/group"] = sum(1 for g in change.groups_created if g[0] == GROUP)
    floor["PUT /manage/v1/group/{id}"] = sum(1 for g in change.renamed if g[0] == GROUP)
    floor["DELETE /manage/v1/group/{id}"] = sum(1 for g in change.groups_deleted if g[0] == GROUP)
    floor["POST /manage/v1/group/{id}/members"] = per_group(_of(change.added, GROUP), IDS)
    floor["DELETE /manage/v1/group/{id}/members"] = per_group(_of(change.removed, GROUP), IDS)
    floor["POST /learn/v1/enrollments"] = per_group(change.enrolled, IDS)
    floor["DELETE /learn/v1/enrollments"] = per_group(change.unenrolled, IDS)
    return +floor


def _users(change: Changes) -> Counter[str]:
    """Creates and updates in user batches; status changes in them too, or apart 1,000 ids
    a `change_status` per status, whichever takes fewer calls."""
    rows = change.created | change.updated
    statuses = change.deactivated | change.reactivated
    together = calls(len(rows | statuses), USER_BATCH)
    apart = calls(len(change.deactivated), IDS) + calls(len(change.reactivated), IDS)
    if together <= calls(len(rows), USER_BATCH) + apart:
        return Counter({"POST /manage/v1/user/batch": together})
    return Counter(
        {
            "POST /manage/v1/user/batch": calls(len(rows), USER_BATCH),
            "PUT /manage/v1/user/change_status": apart,
        }
    )


def _branches(change: Changes, after: LmsState) -> Counter[str]:
    """Creates, renames and moves in one `orgchart/batch` (`update`: true) of 1,000 items,
    plus one more when a new branch sits under another new branch: each row is checked
    against the tree as it stood before the call (docs/lms/docebo.md, the strictest
    reading), so such a branch is created first and placed by a second call; deletes
    1,000 ids a `DELETE orgchart/batch`."""
    upserts = [g for g in change.groups_created | change.renamed | change.moved if g[0] == ORG]
    nested = any(after.groups[g][1] in change.groups_created for g in change.groups_created)
    gone = [g for g in change.groups_deleted if g[0] == ORG]
    return Counter(
        {
            "POST /manage/v1/orgchart/batch": calls(len(upserts), IDS) + nested,
            "DELETE /manage/v1/orgchart/batch": calls(len(gone), IDS),
        }
    )


def _branch_members(change: Changes, after: LmsState) -> Counter[str]:
    """A new user's first branch rides in its batch row; an existing user who leaves a
    branch for another is moved there (`move_to_branch`, per destination branch), else
    added (`assign_users`, per branch); what a move does not cover is removed per branch."""
    added = [(g, u) for g, u in _of(change.added, ORG)]
    leaving = {u for _, u in _of(change.removed, ORG)}
    first = {u: g for g, u in sorted(added) if u in change.created}
    moves = [(g, u) for g, u in added if u in leaving and u not in change.created]
    moved = {u for _, u in moves}
    stays = {u for g, u in _of(after.members, ORG) if u in moved and (g, u) not in moves}
    moves = [(g, u) for g, u in moves if u not in stays]
    assigns = [(g, u) for g, u in added if (g, u) not in moves and first.get(u) != g]
    removes = [(g, u) for g, u in _of(change.removed, ORG) if u not in {x for _, x in moves}]
    return Counter(
        {
            "PUT /manage/v1/user/move_to_branch": per_group(moves, IDS),
            "POST /manage/v1/orgchart/assign_users": per_group(assigns, IDS),
            "PUT /manage/v1/user/remove_from_branch": per_group(removes, IDS),
        }
    )


def _of(members: frozenset[Member], kind: str) -> list[Member]:
    return [(g, u) for g, u in members if g[0] == kind]


MINIMUM = Minimum("docebo", DoceboSimulator, read, key, True, reads, writes)
