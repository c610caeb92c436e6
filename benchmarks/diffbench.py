"""The pure diff alone, on synthetic in-memory states: how `syncd.reconcile.diff.diff` scales.

HR's side is built by syncd's own rules (`syncd.hr.rules`) from `hrdata.generate`; the
LMS side mirrors a desired state with made-up remote ids, every object linked, as after
a converged cycle. Three cases per size: nothing to do, 2 % churn, first contact (an
empty LMS). No database, no HTTP: only the diff is timed, best of three runs.
"""

from __future__ import annotations

import datetime as dt
import gc
import tomllib
from dataclasses import dataclass
from time import perf_counter

from benchmarks.hrdata import RULES_TOML, HrData, churn, generate
from syncd.config import EnrollmentRule, GroupRule
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.keys import EnrollmentKey, GroupKey, Links, MembershipKey, ObjectKey, UserKey
from syncd.reconcile.diff import DiffPolicy, count_kinds, diff
from syncd.records import (
    CourseCode,
    DesiredState,
    EmployeeId,
    Enrollment,
    EnrollmentStatus,
    GroupKind,
    OrgUnit,
    OrgUnitCode,
    Person,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteState,
    RemoteUser,
)
from syncd.sandbox import DEMO_COURSES

TODAY = dt.date(2026, 1, 5)
REPEAT = 3
DOCEBO = DiffPolicy(natural_keys=("username", "email"))  # what the Docebo connector declares
EXTRA_COLUMNS = ("department", "country", "job_level")


@dataclass(frozen=True, slots=True)
class DiffResult:
    people: int
    case: str
    seconds: float
    ops: dict[str, int]

    @property
    def total_ops(self) -> int:
        return sum(self.ops.values())


def desired_state(data: HrData) -> DesiredState:
    rules = tomllib.loads(RULES_TOML)
    group_rules = [GroupRule(**g) for g in rules["groups"]]
    enrollment_rules = [EnrollmentRule(**r) for r in rules["enrollment_rules"]]
    people = [_person(row) for row in data.people]
    units = [
        OrgUnit(OrgUnitCode(u.code), u.name, OrgUnitCode(u.parent) if u.parent else None)
        for u in data.units
    ]
    memberships = desired_memberships(people, group_rules)
    explicit = [
        Enrollment(
            EmployeeId(e["employee_id"]),
            CourseCode(e["course_code"]),
            dt.date.fromisoformat(e["due_date"]) if e["due_date"] else None,
        )
        for e in data.enrollments
    ]
    enrollments = desired_enrollments(people, memberships, enrollment_rules, explicit, TODAY)
    return DesiredState(
        people={p.employee_id: p for p in people},
        groups={g.ref: g for g in desired_groups(units, group_rules)},
        memberships=frozenset(memberships),
        enrollments={(e.employee_id, e.course_code): e for e in enrollments},
    )


def _person(row: dict[str, str]) -> Person:
    return Person(
        employee_id=EmployeeId(row["employee_id"]),
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["email"],
        active=row["status"] == "active",
        org_unit=OrgUnitCode(row["org_unit"]) if row["org_unit"] else None,
        attributes=tuple((name, row[name]) for name in EXTRA_COLUMNS),
    )


def _courses() -> tuple[RemoteCourse, ...]:
    return tuple(
        RemoteCourse(RemoteId(f"c{i}"), code, name) for i, (code, name) in enumerate(DEMO_COURSES)
    )


def mirrored(state: DesiredState) -> tuple[RemoteState, Links]:
    """The LMS as a converged cycle leaves it for `state`, and the links syncd then holds."""
    user_id = {emp: RemoteId(f"u{i}") for i, emp in enumerate(state.people)}
    group_id = {ref: RemoteId(f"g{i}") for i, ref in enumerate(state.groups)}
    course_id = {c.code: c.remote_id for c in _courses()}
    users = tuple(
        RemoteUser(user_id[p.employee_id], p.username, p.email, p.first_name, p.last_name, p.active)
        for p in state.people.values()
    )
    groups = tuple(
        RemoteGroup(
            group_id[g.ref],
            g.ref.kind,
            g.name,
            g.ref.code if g.ref.kind is GroupKind.ORG_UNIT else None,
            group_id[g.parent] if g.parent else None,
        )
        for g in state.groups.values()
    )
    members = tuple(
        RemoteMembership(m.group.kind, group_id[m.group], user_id[m.employee_id])
        for m in state.memberships
    )
    enrollments = tuple(
        RemoteEnrollment(course_id[course], user_id[emp], EnrollmentStatus.ENROLLED)
        for emp, course in state.enrollments
    )
    links: dict[ObjectKey, RemoteId] = {UserKey(emp): rid for emp, rid in user_id.items()}
    links |= {GroupKey(ref): rid for ref, rid in group_id.items()}
    links |= {
        MembershipKey.of(m): RemoteId(f"{group_id[m.group]}/{user_id[m.employee_id]}")
        for m in state.memberships
    }
    links |= {EnrollmentKey(emp, course): RemoteId("") for emp, course in state.enrollments}
    remote = RemoteState(users, groups, members, _courses(), enrollments)
    return remote, Links(links)


def run_diff_bench(people: int, *, churn_share: float = 0.02) -> list[DiffResult]:
    data = generate(people)
    before = desired_state(data)
    after = desired_state(churn(data, churn_share)[0])
    remote, links = mirrored(before)
    return [
        _timed(people, "no change", before, remote, links),
        _timed(people, f"{churn_share:.0%} churn", after, remote, links),
        _timed(people, "first contact", before, RemoteState(courses=_courses()), Links()),
    ]


def _timed(
    people: int, case: str, desired: DesiredState, remote: RemoteState, links: Links
) -> DiffResult:
    best, ops = float("inf"), []
    for _ in range(REPEAT):
        gc.collect()  # no garbage of the previous run is collected on this one's time
        started = perf_counter()
        ops = diff(desired, remote, links, DOCEBO)
        best = min(best, perf_counter() - started)
    return DiffResult(people, case, best, count_kinds(ops))
