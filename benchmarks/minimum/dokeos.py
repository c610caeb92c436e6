"""The fewest requests Dokeos's API V2 allows for a cycle, from the portal's state alone.

Reads (`per_page` at most 100, the envelope gives `total_pages`): users, groups (each
group's `learner_ids` and `manager_ids` inline), trainings, participations. Writes: a
`POST /users` per new user and a `PUT /users/:id` per changed one (fields and `active`
together); a new group is created with its learners and managers in its `POST`, an
existing group's membership changes (adds and removes, learners and managers) and
rename go in one `PUT /groups/:id`; one request per participation created or deleted.
Each request answered with a job costs one `GET /jobs/:id` to learn its outcome.
benchmarks/README.md cites each limit.
"""

from __future__ import annotations

from collections import Counter

from benchmarks.minimum.rules import Minimum, by_code, coded, pages_by_count
from benchmarks.minimum.state import LmsState, changes
from syncd.sandbox import DokeosSimulator

PAGE = 100
JOBS = "GET /jobs/{job_id}"


def read(sim: DokeosSimulator) -> LmsState:
    """Learners are the members; managers, memberships of another role, apart."""
    snap = sim.snapshot()
    with sim.lock:
        courses = tuple(sorted(t.code for t in sim.state.trainings.values()))
    users = {name: view[:4] for name, view in snap.users.items()}
    groups = {coded(key, name): (name, None) for key, name in snap.groups.items()}
    names = snap.groups
    members = frozenset((coded(key, names[key]), user) for key, user in snap.learners)
    managers = frozenset((coded(key, names[key]), user) for key, user in snap.managers)
    return LmsState(users, groups, members, snap.participations, managers, courses)


def reads(state: LmsState) -> Counter[str]:
    return Counter(
        {
            "GET /users": pages_by_count(len(state.users), PAGE),
            "GET /groups": pages_by_count(len(state.groups), PAGE),
            "GET /trainings": pages_by_count(len(state.courses), PAGE),
            "GET /participations": pages_by_count(len(state.enrollments), PAGE),
        }
    )


def writes(before: LmsState, after: LmsState) -> Counter[str]:
    change = changes(before, after)
    touched = change.added | change.removed | change.managers_added | change.managers_removed
    new = change.groups_created
    filled = {g for g, _ in touched if g in new}
    edited = ({g for g, _ in touched} | change.renamed) - new
    floor = Counter(
        {
            "POST /users": len(change.created),
            "PUT /users/{id}": len(change.updated | change.deactivated | change.reactivated),
            "POST /groups": len(new),
            "PUT /groups/{id}": len(edited),
            "DELETE /groups/{id}": len(change.groups_deleted),
            "POST /participations": len(change.enrolled),
            "DELETE /participations/{id}": len(change.unenrolled),
        }
    )
    membership_jobs = len(filled) + len({g for g, _ in touched} - new)
    floor[JOBS] = membership_jobs + len(change.enrolled) + len(change.unenrolled)
    return +floor


MINIMUM = Minimum("dokeos", DokeosSimulator, read, by_code, False, reads, writes)
