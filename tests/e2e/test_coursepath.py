"""Coursepath end to end: the HR change scenarios, against the Coursepath simulator.

Each change asserts the exact plan, the academy after apply (`assert_in_step`) and an
empty next cycle. Coursepath has groups by name only, no group rename, and deletes a
learner's results with an unenrollment: those limits are asserted as a user sees them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.coursepath_world import ACTING_EMAIL, CoursepathWorld
from tests.e2e.harness import World


def synced(tmp_path: Path, database_url: str, **settings: str) -> CoursepathWorld:
    world = CoursepathWorld(tmp_path, database_url, **settings)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    world.assert_in_step()
    return world


@pytest.fixture
def coursepath(tmp_path: Path, database_url: str) -> CoursepathWorld:
    return synced(tmp_path, database_url)


def change(world: CoursepathWorld) -> list[tuple[str, str]]:
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    world.assert_in_step()
    assert world.plan(world.run()) == [], "a second cycle must find nothing to do"
    return world.plan(report)


def test_first_sync_then_an_empty_cycle(coursepath: CoursepathWorld) -> None:
    snapshot = coursepath.sim.snapshot()
    assert len(snapshot.members) == 34 + 1  # the active people and the acting admin
    assert snapshot.members[ACTING_EMAIL][1] is True
    assert "priya.patel@example.com" not in snapshot.members  # inactive, never created
    assert "camille.laurent@example.com" in snapshot.groups["Sales EMEA"]
    assert "camille.laurent@example.com" in snapshot.groups["Sales EMEA (rule)"]
    assert "lukas.becker@example.com" not in snapshot.groups["Sales EMEA"]
    assert ACTING_EMAIL not in set().union(*snapshot.groups.values())
    assert coursepath.plan(coursepath.run()) == []


def test_new_hire(coursepath: CoursepathWorld) -> None:
    coursepath.hr.people.append(
        {
            **coursepath.hr.person("E1002"),
            "employee_id": "E2001",
            "first_name": "Nina",
            "email": "nina.vogel@example.com",
        }
    )
    assert change(coursepath) == [
        ("create_user", "E2001"),
        ("add_member", "group:all-staff/E2001"),
        ("add_member", "group:sales-emea/E2001"),
        ("add_member", "org_unit:SAL-EMEA/E2001"),
        ("enroll", "E2001/GDPR-201"),
        ("enroll", "E2001/SEC-101"),
    ]
    assert coursepath.sim.snapshot().members["nina.vogel@example.com"][:2] == (
        "Nina Laurent",
        True,
    )


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
            # Coursepath members are learners only: no manager memberships to move.
            lambda w: w.hr.person("E1011").update(org_unit="ENG-APPS"),
            [
                ("add_member", "org_unit:ENG-APPS/E1011"),
                ("remove_member", "org_unit:ENG-PLAT/E1011"),
            ],
        ),
        (lambda w: w.hr.person("E1020").update(status="inactive"), [("deactivate_user", "E1020")]),
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
    ids=["email", "name", "move", "termination", "new-unit", "course-added"],
)
def test_hr_changes(
    coursepath: CoursepathWorld, edit: Any, expected: list[tuple[str, str]]
) -> None:
    edit(coursepath)
    assert change(coursepath) == expected


def test_email_change_keeps_the_member(coursepath: CoursepathWorld) -> None:
    coursepath.hr.person("E1003")["email"] = "giulia.r@example.com"
    change(coursepath)
    members = coursepath.sim.snapshot().members
    assert "giulia.romano@example.com" not in members
    assert dict(members["giulia.r@example.com"][2])["externalId"] == "E1003"


def test_termination_deactivates_and_keeps_memberships(coursepath: CoursepathWorld) -> None:
    coursepath.hr.person("E1020")["status"] = "inactive"
    change(coursepath)
    snapshot = coursepath.sim.snapshot()
    assert snapshot.members["rachel.nguyen@example.com"][1] is False
    assert "rachel.nguyen@example.com" in snapshot.groups["Platform"]


def test_rehire(coursepath: CoursepathWorld) -> None:
    coursepath.hr.person("E1020")["status"] = "inactive"
    assert change(coursepath) == [("deactivate_user", "E1020")]
    coursepath.hr.person("E1020")["status"] = "active"
    assert change(coursepath) == [("reactivate_user", "E1020")]
    assert coursepath.sim.snapshot().members["rachel.nguyen@example.com"][1] is True


def test_org_unit_renamed_is_not_carried_out(coursepath: CoursepathWorld) -> None:
    """Coursepath has no API to rename a group (UPDATE_GROUP is not supported), so the
    plan holds no update_group: the group keeps its old name and its members, and no
    group of the new name appears. A user renames it in Coursepath's own UI."""
    coursepath.hr.unit("SUP-EU")["name"] = "Support EMEA"
    report = coursepath.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert coursepath.plan(report) == []
    assert report.targets[0].message == (
        "left undone, the coursepath API cannot make them: update_group 1"
    )
    groups = coursepath.sim.snapshot().groups
    assert "Support EMEA" not in groups
    assert groups["Support Europe"] == {
        "lena.fischer@example.com",
        "matteo.ricci@example.com",
        "amelie.girard@example.com",
        "george.evans@example.com",
    }
    assert coursepath.plan(coursepath.run()) == []


def test_group_rule_change(coursepath: CoursepathWorld) -> None:
    coursepath.write_config(sales_countries='["DE", "FR", "IT", "GB", "US"]')
    assert change(coursepath) == [
        ("add_member", "group:sales-emea/E1007"),
        ("add_member", "group:sales-emea/E1008"),
        ("enroll", "E1007/GDPR-201"),
        ("enroll", "E1008/GDPR-201"),
    ]
    group = coursepath.sim.snapshot().groups["Sales EMEA (rule)"]
    assert {"emily.carter@example.com", "marcus.johnson@example.com"} <= group


def test_course_assignment_added_then_removed(coursepath: CoursepathWorld) -> None:
    coursepath.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
    )
    assert change(coursepath) == [("enroll", "E1026/LEAD-401")]
    coursepath.hr.enrollments.pop()
    assert change(coursepath) == [("unenroll", "E1026/LEAD-401")]
    coursepath.hr.enrollments = [
        e for e in coursepath.hr.enrollments if e["employee_id"] != "E1028"
    ]
    assert change(coursepath) == [("unenroll", "E1028/GDPR-201")]
    assert not any(
        e[:2] == ("GDPR-201", "olivia.taylor@example.com")
        for e in coursepath.sim.snapshot().enrollments
    )


def test_without_result_deletion_nothing_is_unenrolled(tmp_path: Path, database_url: str) -> None:
    world = synced(tmp_path, database_url, allow_result_deletion="false")
    sim = world.sim
    course = next(c.id for c in sim.state.courses.values() if c.code == "GDPR-201")
    member = next(m.id for m in sim.state.members.values() if m.email.startswith("olivia."))
    sim.set_result(course, member, score=87.0, success=True, completed="2026-01-20T10:00:00Z")
    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert world.plan(report) == []
    assert report.targets[0].message is None  # a started course is never removed anyway
    assert (
        "GDPR-201",
        "olivia.taylor@example.com",
        87.0,
        True,
        "2026-01-20T10:00:00Z",
    ) in world.sim.snapshot().enrollments
    assert world.plan(world.run()) == []


def test_without_result_deletion_a_removal_is_reported_undone(
    tmp_path: Path, database_url: str
) -> None:
    world = synced(tmp_path, database_url, allow_result_deletion="false")
    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    report = world.run()
    assert world.plan(report) == []
    assert report.targets[0].message == (
        "left undone, the coursepath API cannot make them: unenroll 1"
    )
    assert any(
        e[:2] == ("GDPR-201", "olivia.taylor@example.com") for e in world.sim.snapshot().enrollments
    )


def test_an_org_unit_and_a_group_of_one_name_are_reported(
    tmp_path: Path, database_url: str
) -> None:
    """Coursepath keys groups by name: an org unit and a config group both named "Sales
    EMEA" are one Coursepath group. syncd cannot tell them apart there; every run says so,
    naming both, so that an operator renames one."""
    world = CoursepathWorld(tmp_path, database_url)
    World.write_config(world)  # the shared rules: config groups named like org units
    message = world.run().targets[0].message or ""
    assert "groups sharing a name share one coursepath group" in message
    for pair in ("group:engineering/org_unit:ENG", "group:sales-emea/org_unit:SAL-EMEA"):
        assert pair in message
