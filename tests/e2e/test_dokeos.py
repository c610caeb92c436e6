"""Dokeos end to end: the HR change scenarios, asynchronous jobs, dry runs, two LMSs at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.dokeos_world import DokeosWorld


@pytest.fixture
def dokeos(tmp_path: Path, database_url: str) -> DokeosWorld:
    world = DokeosWorld(tmp_path, database_url)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    world.assert_in_step()
    return world


def change(world: DokeosWorld) -> list[tuple[str, str]]:
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    world.assert_in_step()
    assert world.plan(world.run()) == [], "a second cycle must find nothing to do"
    return world.plan(report)


def test_first_sync_creates_flat_groups_learners_and_participations(dokeos: DokeosWorld) -> None:
    snapshot = dokeos.sim.snapshot()
    assert len(snapshot.users) == 34
    assert snapshot.groups["org_unit:SAL-EMEA"] == "Sales EMEA"
    assert snapshot.groups["group:sales-emea"] == "Sales EMEA"
    assert snapshot.pending_jobs == 0
    assert dokeos.plan(dokeos.run()) == []


def test_new_hire(dokeos: DokeosWorld) -> None:
    dokeos.hr.people.append(
        {
            **dokeos.hr.person("E1002"),
            "employee_id": "E2001",
            "first_name": "Nina",
            "email": "nina.vogel@example.com",
        }
    )
    assert change(dokeos) == [
        ("create_user", "E2001"),
        ("add_member", "group:all-staff/E2001"),
        ("add_member", "group:sales-emea/E2001"),
        ("add_member", "org_unit:SAL-EMEA/E2001"),
        ("enroll", "E2001/GDPR-201"),
        ("enroll", "E2001/SEC-101"),
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda w: w.hr.person("E1003").update(email="giulia.r@example.com"),
            [("update_user", "E1003")],
        ),
        (
            lambda w: w.hr.person("E1012").update(last_name="Dubois-Martin"),
            [("update_user", "E1012")],
        ),
        (
            lambda w: w.hr.person("E1011").update(org_unit="ENG-APPS"),
            [
                ("add_member", "org_unit:ENG-APPS/E1011"),  # E1010 already manages ENG-APPS
                ("remove_member", "manager@org_unit:ENG-PLAT/E1010"),  # no report left there
                ("remove_member", "org_unit:ENG-PLAT/E1011"),
            ],
        ),
        (lambda w: w.hr.person("E1020").update(status="inactive"), [("deactivate_user", "E1020")]),
        (
            lambda w: w.hr.unit("SUP-EU").update(name="Support EMEA"),
            [("update_group", "org_unit:SUP-EU")],
        ),
        (
            lambda w: w.hr.org_units.append(
                {"code": "ENG-DATA", "name": "Data", "parent_code": "ENG"}
            ),
            [("create_group", "org_unit:ENG-DATA")],
        ),
        (
            lambda w: w.hr.enrollments.append(
                {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
            ),
            [("enroll", "E1026/LEAD-401")],
        ),
    ],
    ids=["email", "name", "move", "termination", "unit-renamed", "new-unit", "course-added"],
)
def test_hr_changes(dokeos: DokeosWorld, edit: Any, expected: list[tuple[str, str]]) -> None:
    edit(dokeos)
    assert change(dokeos) == expected


def test_rehire_and_course_removal(dokeos: DokeosWorld) -> None:
    dokeos.hr.person("E1020")["status"] = "inactive"
    change(dokeos)
    dokeos.hr.person("E1020")["status"] = "active"
    assert change(dokeos) == [("reactivate_user", "E1020")]
    dokeos.hr.enrollments = [e for e in dokeos.hr.enrollments if e["employee_id"] != "E1028"]
    assert change(dokeos) == [("unenroll", "E1028/GDPR-201")]


def test_group_rule_change(dokeos: DokeosWorld) -> None:
    dokeos.write_config(sales_countries='["DE", "FR", "IT", "GB", "US"]')
    plan = change(dokeos)
    assert sorted(key for kind, key in plan if kind == "add_member") == [
        "group:sales-emea/E1007",
        "group:sales-emea/E1008",
    ]


def test_a_new_manager_manages_the_reports_org_unit(dokeos: DokeosWorld) -> None:
    assert ("org_unit:SUP", "david.miller@example.com") in dokeos.sim.snapshot().managers
    assert ("org_unit:SUP", "lukas.becker@example.com") not in dokeos.sim.snapshot().managers
    dokeos.hr.person("E1036")["manager_id"] = "E1001"  # Noah (SUP) now reports to Lukas
    assert change(dokeos) == [("add_member", "manager@org_unit:SUP/E1001")]
    assert ("org_unit:SUP", "lukas.becker@example.com") in dokeos.sim.snapshot().managers
