"""desired_groups / desired_memberships / desired_enrollments: pure rule expansion."""

from __future__ import annotations

import datetime as dt

from syncd.config import EnrollmentRule, GroupRule
from syncd.hr import desired_enrollments, desired_groups, desired_memberships
from syncd.keys import EnrollmentKey
from syncd.records import (
    CourseCode,
    EmployeeId,
    Enrollment,
    Group,
    GroupKind,
    GroupRef,
    Membership,
    OrgUnit,
    OrgUnitCode,
    Person,
)

TODAY = dt.date(2026, 1, 15)


def person(
    employee_id: str, org_unit: str | None = None, active: bool = True, **attributes: str
) -> Person:
    return Person(
        employee_id=EmployeeId(employee_id),
        email=f"{employee_id.lower()}@example.com",
        first_name="First",
        last_name="Last",
        username=f"{employee_id.lower()}@example.com",
        active=active,
        org_unit=OrgUnitCode(org_unit) if org_unit else None,
        attributes=tuple(sorted(attributes.items())),
    )


def rule(code: str, **match: str | list[str]) -> GroupRule:
    return GroupRule(code=code, name=code.title(), match=match)


def unit(code: str) -> GroupRef:
    return GroupRef(GroupKind.ORG_UNIT, code)


def group(code: str) -> GroupRef:
    return GroupRef(GroupKind.GROUP, code)


def members(memberships: list[Membership], ref: GroupRef) -> list[str]:
    return [m.employee_id for m in memberships if m.group == ref]


def enrollment(employee_id: str, course: str, due: dt.date | None = None) -> Enrollment:
    return Enrollment(EmployeeId(employee_id), CourseCode(course), due)


# --- groups ---------------------------------------------------------------------------


def test_org_units_and_rules_become_groups() -> None:
    units = [
        OrgUnit(OrgUnitCode("ENG"), "Engineering", OrgUnitCode("ACME")),
        OrgUnit(OrgUnitCode("ACME"), "Acme"),
    ]
    groups = desired_groups(units, [rule("sales-emea"), rule("all-staff")])
    assert groups == [
        Group(group("all-staff"), "All-Staff"),
        Group(group("sales-emea"), "Sales-Emea"),
        Group(unit("ACME"), "Acme", None),
        Group(unit("ENG"), "Engineering", unit("ACME")),
    ]


def test_no_groups() -> None:
    assert desired_groups([], []) == []


# --- memberships ----------------------------------------------------------------------


def test_org_unit_membership_comes_from_the_person() -> None:
    people = [person("E1", "ENG"), person("E2", "SALES"), person("E3")]
    assert desired_memberships(people, []) == [
        Membership(unit("ENG"), EmployeeId("E1")),
        Membership(unit("SALES"), EmployeeId("E2")),
    ]


def test_rule_with_a_string_matches_case_insensitively() -> None:
    people = [
        person("E1", department="Sales"),
        person("E2", department="SALES "),
        person("E3", department="Support"),
    ]
    result = desired_memberships(people, [rule("sales", department="sales")])
    assert members(result, group("sales")) == ["E1", "E2"]


def test_rule_with_a_list_matches_any_of_its_values() -> None:
    people = [person("E1", country="de"), person("E2", country="FR"), person("E3", country="US")]
    result = desired_memberships(people, [rule("emea", country=["DE", "FR", "IT"])])
    assert members(result, group("emea")) == ["E1", "E2"]


def test_every_key_of_a_match_must_hold() -> None:
    people = [
        person("E1", department="Sales", country="DE"),
        person("E2", department="Sales", country="US"),
        person("E3", department="Finance", country="DE"),
    ]
    match = rule("sales-emea", department="Sales", country=["DE", "FR", "IT"])
    assert members(desired_memberships(people, [match]), group("sales-emea")) == ["E1"]


def test_a_person_without_the_attribute_does_not_match() -> None:
    result = desired_memberships([person("E1")], [rule("sales", department="Sales")])
    assert result == []


def test_empty_match_means_everyone_active_or_not() -> None:
    people = [person("E1", "ENG"), person("E2", active=False)]
    result = desired_memberships(people, [rule("all-staff")])
    assert members(result, group("all-staff")) == ["E1", "E2"]


def test_standard_fields_can_be_matched() -> None:
    people = [person("E1", "ENG"), person("E2", "SALES", active=False)]
    rules = [rule("eng", org_unit="eng"), rule("leavers", status="inactive")]
    result = desired_memberships(people, rules)
    assert members(result, group("eng")) == ["E1"]
    assert members(result, group("leavers")) == ["E2"]


def test_memberships_are_sorted_and_unique() -> None:
    people = [person("E2", "ENG", team="a"), person("E1", "ENG", team="a")]
    result = desired_memberships(people, [rule("a", team="A"), rule("b", team=["a", "A"])])
    assert result == sorted(set(result))
    assert len(result) == 6


# --- enrollments ----------------------------------------------------------------------


def test_rule_enrolls_every_member_with_a_due_date() -> None:
    people = [person("E1", "ENG"), person("E2", "ENG"), person("E3", "SALES")]
    memberships = desired_memberships(people, [])
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"], due_in_days=30)]
    assert desired_enrollments(people, memberships, rules, [], TODAY) == [
        enrollment("E1", "ENG-210", dt.date(2026, 2, 14)),
        enrollment("E2", "ENG-210", dt.date(2026, 2, 14)),
    ]


def test_rule_over_several_groups_enrolls_each_person_once() -> None:
    people = [person("E1", "ENG", department="Sales"), person("E2", department="Sales")]
    memberships = desired_memberships(people, [rule("sales", department="Sales")])
    rules = [EnrollmentRule(course="SEC-101", groups=["sales", "org_unit:ENG"])]
    assert desired_enrollments(people, memberships, rules, [], TODAY) == [
        enrollment("E1", "SEC-101"),
        enrollment("E2", "SEC-101"),
    ]


def test_earliest_rule_due_date_wins() -> None:
    people = [person("E1", "ENG")]
    memberships = desired_memberships(people, [rule("all")])
    rules = [
        EnrollmentRule(course="SEC-101", groups=["all"]),
        EnrollmentRule(course="SEC-101", groups=["all"], due_in_days=60),
        EnrollmentRule(course="SEC-101", groups=["org_unit:ENG"], due_in_days=10),
    ]
    assert desired_enrollments(people, memberships, rules, [], TODAY) == [
        enrollment("E1", "SEC-101", dt.date(2026, 1, 25))
    ]


def test_explicit_rows_add_to_the_rules() -> None:
    people = [person("E1", "ENG"), person("E2")]
    memberships = desired_memberships(people, [])
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"])]
    explicit = [enrollment("E2", "GDPR-201", dt.date(2026, 3, 1))]
    assert desired_enrollments(people, memberships, rules, explicit, TODAY) == [
        enrollment("E1", "ENG-210"),
        enrollment("E2", "GDPR-201", dt.date(2026, 3, 1)),
    ]


def test_explicit_due_date_wins_over_the_rule() -> None:
    people = [person("E1", "ENG")]
    memberships = desired_memberships(people, [])
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"], due_in_days=5)]
    explicit = [enrollment("E1", "ENG-210", dt.date(2026, 6, 30))]
    assert desired_enrollments(people, memberships, rules, explicit, TODAY) == [
        enrollment("E1", "ENG-210", dt.date(2026, 6, 30))
    ]


def test_explicit_row_without_a_due_date_keeps_the_rule_date() -> None:
    people = [person("E1", "ENG")]
    memberships = desired_memberships(people, [])
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"], due_in_days=5)]
    explicit = [enrollment("E1", "ENG-210")]
    assert desired_enrollments(people, memberships, rules, explicit, TODAY) == [
        enrollment("E1", "ENG-210", dt.date(2026, 1, 20))
    ]


def test_output_is_sorted_by_key_without_duplicates() -> None:
    people = [person("E2", "ENG"), person("E10", "ENG"), person("E1", "ENG")]
    memberships = desired_memberships(people, [])
    rules = [
        EnrollmentRule(course="B-2", groups=["org_unit:ENG"]),
        EnrollmentRule(course="A-1", groups=["org_unit:ENG"]),
        EnrollmentRule(course="A-1", groups=["org_unit:ENG"]),
    ]
    explicit = [enrollment("E1", "A-1"), enrollment("E1", "A-1")]
    result = desired_enrollments(people, memberships, rules, explicit, TODAY)
    shown = [str(EnrollmentKey(e.employee_id, e.course_code)) for e in result]
    assert shown == sorted(set(shown))
    assert len(result) == 6


def test_inactive_people_are_included() -> None:
    people = [person("E1", "ENG", active=False)]
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"])]
    memberships = desired_memberships(people, [])
    assert desired_enrollments(people, memberships, rules, [], TODAY) == [
        enrollment("E1", "ENG-210")
    ]


def test_employees_missing_from_people_are_dropped() -> None:
    people = [person("E1", "ENG")]
    memberships = [*desired_memberships(people, []), Membership(unit("ENG"), EmployeeId("E9"))]
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"])]
    explicit = [enrollment("E8", "SEC-101")]
    assert desired_enrollments(people, memberships, rules, explicit, TODAY) == [
        enrollment("E1", "ENG-210")
    ]


def test_a_rule_whose_groups_are_empty_enrolls_no_one() -> None:
    people = [person("E1", "SALES")]
    rules = [EnrollmentRule(course="ENG-210", groups=["org_unit:ENG"], due_in_days=1)]
    assert desired_enrollments(people, desired_memberships(people, []), rules, [], TODAY) == []
