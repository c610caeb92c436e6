"""Desired groups, memberships and enrollments: pure functions of HR records and config rules.

The HR import calls them after reading a source, to complete HR's desired state. No I/O and
no clock (`today` is passed in); each output is sorted and free of duplicates, so the same
inputs always give the same lists. Inactive people are included: the engine decides.

Decisions: `match` values and attributes are compared stripped and case-folded, and a
person without the attribute never matches; with several rules for one (employee, course)
the earliest due date wins and a rule without one yields to any rule with one; an explicit
enrollment's due date wins when it has one, else the rules' date stands; among explicit
rows for one pair the first wins; memberships and explicit rows of employees missing from
`people` are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from syncd.config import ORG_UNIT_PREFIX, EnrollmentRule, GroupRule
from syncd.keys import EnrollmentKey
from syncd.records import (
    CourseCode,
    EmployeeId,
    Enrollment,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    Membership,
    OrgUnit,
    OrgUnitCode,
    Person,
)

_Match = tuple[tuple[str, frozenset[str]], ...]
_Key = tuple[EmployeeId, CourseCode]


def desired_groups(org_units: Sequence[OrgUnit], rules: Sequence[GroupRule]) -> list[Group]:
    """Every org unit (with its parent) and every `[[groups]]` rule as a Group, by ref."""
    units = [
        Group(_unit(unit.code), unit.name, _unit(unit.parent_code) if unit.parent_code else None)
        for unit in org_units
    ]
    configured = [Group(GroupRef(GroupKind.GROUP, rule.code), rule.name) for rule in rules]
    return sorted([*units, *configured], key=_group_ref)


def desired_memberships(people: Sequence[Person], rules: Sequence[GroupRule]) -> list[Membership]:
    """Each person in their org unit and in every rule group whose `match` they meet."""
    compiled = [(GroupRef(GroupKind.GROUP, rule.code), _compile(rule.match)) for rule in rules]
    units = {code: _unit(code) for code in {p.org_unit for p in people if p.org_unit}}
    members = {Membership(units[p.org_unit], p.employee_id) for p in people if p.org_unit}
    members.update(_managers(people, units))
    members.update(
        Membership(ref, person.employee_id)
        for person in people
        for ref, match in compiled
        if _meets(person, match)
    )
    return sorted(members, key=_membership_order)


def _managers(people: Sequence[Person], units: Mapping[OrgUnitCode, GroupRef]) -> set[Membership]:
    """A person's manager manages the person's org-unit group (follows its learners)."""
    known = {p.employee_id for p in people}
    return {
        Membership(units[p.org_unit], p.manager_id, MemberRole.MANAGER)
        for p in people
        if p.org_unit and p.manager_id is not None and p.manager_id in known
    }


def _meets(person: Person, match: _Match) -> bool:
    """Whether every key of a compiled `match` holds one of its wanted values for `person`."""
    for key, wanted in match:
        value = person.attribute(key)
        if value is None or _fold(value) not in wanted:
            return False
    return True


def desired_enrollments(
    people: Sequence[Person],
    memberships: Sequence[Membership],
    enrollment_rules: Sequence[EnrollmentRule],
    explicit: Sequence[Enrollment],
    today: dt.date,
) -> list[Enrollment]:
    """What the rules give each member of their groups, plus the explicit rows, by key."""
    known = {person.employee_id for person in people}
    due = _rule_due_dates(memberships, enrollment_rules, today)
    for key, date in _explicit_due_dates(explicit).items():
        due[key] = date if date is not None else due.get(key)
    wanted = (Enrollment(e, c, date) for (e, c), date in due.items() if e in known)
    return sorted(wanted, key=_enrollment_key)


def _rule_due_dates(
    memberships: Sequence[Membership], rules: Sequence[EnrollmentRule], today: dt.date
) -> dict[_Key, dt.date | None]:
    members: defaultdict[GroupRef, set[EmployeeId]] = defaultdict(set)
    for membership in (m for m in memberships if m.role is MemberRole.LEARNER):
        members[membership.group].add(membership.employee_id)
    due: dict[_Key, dt.date | None] = {}
    for rule in rules:
        date = None if rule.due_in_days is None else today + dt.timedelta(rule.due_in_days)
        for employee in {e for group in rule.groups for e in members[_rule_group(group)]}:
            key = (employee, CourseCode(rule.course))
            due[key] = _earliest(due[key], date) if key in due else date
    return due


def _explicit_due_dates(explicit: Iterable[Enrollment]) -> dict[_Key, dt.date | None]:
    due: dict[_Key, dt.date | None] = {}
    for row in explicit:
        due.setdefault((row.employee_id, row.course_code), row.due_date)
    return due


def _earliest(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    dates = [date for date in (first, second) if date is not None]
    return min(dates) if dates else None


def _compile(match: Mapping[str, str | list[str]]) -> _Match:
    return tuple(
        (key, frozenset(map(_fold, [wanted] if isinstance(wanted, str) else wanted)))
        for key, wanted in sorted(match.items())
    )


def _rule_group(text: str) -> GroupRef:
    if text.startswith(ORG_UNIT_PREFIX):
        return _unit(text.removeprefix(ORG_UNIT_PREFIX))
    return GroupRef(GroupKind.GROUP, text)


def _unit(code: str) -> GroupRef:
    return GroupRef(GroupKind.ORG_UNIT, code)


def _fold(text: str) -> str:
    return text.strip().casefold()


def _group_ref(group: Group) -> tuple[str, str]:
    return (group.ref.kind.value, group.ref.code)  # GroupRef's own order, compared faster


def _membership_order(membership: Membership) -> tuple[str, str, str, str]:
    m = membership
    return (m.group.kind.value, m.group.code, m.employee_id, m.role.value)


def _enrollment_key(enrollment: Enrollment) -> str:
    return str(EnrollmentKey(enrollment.employee_id, enrollment.course_code))  # its order as shown
