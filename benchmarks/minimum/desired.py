"""HR's desired state of one LMS, in neutral terms, for the state check.

Built with syncd's own HR rules (`syncd.hr.rules`: the groups, memberships and
enrollments the config's rules give) from the benchmark's HR data, and the LMS's state
before the cycle for the people HR no longer counts as active: syncd deactivates them and
leaves their memberships and enrollments as they were (never remove on a leave; DESIGN
rule 6), and never creates an account for someone already inactive. Never calls
syncd's diff or planner.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable

from benchmarks.hrdata import HrData, person
from benchmarks.minimum.state import GroupKey, LmsState, Member, UserView
from syncd.config import EnrollmentRule, GroupRule
from syncd.hr.rules import desired_enrollments, desired_groups, desired_memberships
from syncd.records import CourseCode, EmployeeId, Enrollment, OrgUnit, OrgUnitCode, Person

TODAY = dt.date(2026, 1, 5)
KeyOf = Callable[[str, str, str], GroupKey]  # (kind, code, name) -> the LMS's key


def desired(data: HrData, rules_toml: str, before: LmsState, key: KeyOf, nested: bool) -> LmsState:
    """What the LMS should hold after a cycle on `data`, starting from `before`."""
    rules = tomllib.loads(rules_toml)
    group_rules = [GroupRule(**g) for g in rules["groups"]]
    people = [person(row) for row in data.people]
    login = {p.employee_id: p.username for p in people}
    active = {p.username for p in people if p.active}
    groups = _groups(data, group_rules, key, nested)
    names = {
        (g.ref.kind.value, g.ref.code): g.name for g in desired_groups(_units(data), group_rules)
    }
    memberships = desired_memberships(people, group_rules)
    members = {
        (
            key(m.group.kind.value, m.group.code, names[(m.group.kind.value, m.group.code)]),
            login[m.employee_id],
        )
        for m in memberships
        if m.employee_id in login and login[m.employee_id] in active and m.role.value == "learner"
    }
    explicit = [_enrollment(row) for row in data.enrollments]
    enrollment_rules = [EnrollmentRule(**r) for r in rules["enrollment_rules"]]
    wanted = desired_enrollments(people, memberships, enrollment_rules, explicit, TODAY)
    enrollments = {(e.course_code, login[e.employee_id]) for e in wanted}
    enrollments = {(c, u) for c, u in enrollments if u in active}
    return LmsState(
        users=_users(people, before),
        groups=groups,
        members=frozenset(members | _kept(before.members, active)),
        enrollments=frozenset(
            enrollments | {(c, u) for c, u in before.enrollments if u not in active}
        ),
        courses=before.courses,
    )


def _users(people: list[Person], before: LmsState) -> dict[str, UserView]:
    """Active people as HR has them; inactive ones the LMS knows, deactivated; people HR
    no longer lists, deactivated as the LMS has them."""
    users: dict[str, UserView] = {
        u: (view[0], view[1], view[2], False) for u, view in before.users.items()
    }
    for p in people:
        if p.active or p.username in before.users:
            users[p.username] = (p.email, p.first_name, p.last_name, p.active)
    return users


def _kept(members: frozenset[Member], active: set[str]) -> set[Member]:
    return {(g, u) for g, u in members if u not in active}


def _groups(
    data: HrData, rules: list[GroupRule], key: KeyOf, nested: bool
) -> dict[GroupKey, tuple[str, GroupKey | None]]:
    made = desired_groups(_units(data), rules)
    names = {(g.ref.kind.value, g.ref.code): g.name for g in made}
    out: dict[GroupKey, tuple[str, GroupKey | None]] = {}
    for g in made:
        parent = None
        if nested and g.parent is not None:
            ref = (g.parent.kind.value, g.parent.code)
            parent = key(*ref, names[ref])
        out[key(g.ref.kind.value, g.ref.code, g.name)] = (g.name, parent)
    return out


def _units(data: HrData) -> list[OrgUnit]:
    return [
        OrgUnit(OrgUnitCode(u.code), u.name, OrgUnitCode(u.parent) if u.parent else None)
        for u in data.units
    ]


def _enrollment(row: dict[str, str]) -> Enrollment:
    due = dt.date.fromisoformat(row["due_date"]) if row["due_date"] else None
    return Enrollment(EmployeeId(row["employee_id"]), CourseCode(row["course_code"]), due)
