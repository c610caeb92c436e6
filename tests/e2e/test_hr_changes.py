"""Each kind of HR change yields exactly the expected operations, and Docebo ends in step."""

from __future__ import annotations

import pytest

from tests.e2e.harness import World


@pytest.fixture
def world(synced: World) -> World:
    synced.assert_in_step()
    return synced


def change(world: World) -> list[tuple[str, str]]:
    """Run one cycle; check it applied cleanly, left Docebo in step, and that the next is empty."""
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    world.assert_in_step()
    again = world.run()
    assert world.plan(again) == [], "a second cycle must find nothing to do"
    return world.plan(report)


def test_first_sync_creates_everything_and_converges(world: World) -> None:
    snapshot = world.sim.snapshot()
    assert len(snapshot.users) == 34  # 36 people, 2 of them inactive: leavers are not created
    assert world.plan(world.run()) == []


def test_new_hire(world: World) -> None:
    world.hr.people.append(
        {
            **world.hr.person("E1002"),
            "employee_id": "E2001",
            "first_name": "Nina",
            "last_name": "Vogel",
            "email": "nina.vogel@example.com",
            "country": "DE",
        }
    )
    assert change(world) == [
        ("create_user", "E2001"),
        ("add_member", "group:all-staff/E2001"),
        ("add_member", "group:sales-emea/E2001"),
        ("add_member", "org_unit:SAL-EMEA/E2001"),
        ("enroll", "E2001/GDPR-201"),
        ("enroll", "E2001/SEC-101"),
    ]


def test_email_change_renames_the_login_that_defaults_to_it(world: World) -> None:
    world.hr.person("E1003")["email"] = "giulia.romano-rossi@example.com"
    assert change(world) == [("update_user", "E1003")]
    assert "giulia.romano-rossi@example.com" in world.sim.snapshot().users


def test_name_change(world: World) -> None:
    world.hr.person("E1012")["last_name"] = "Dubois-Martin"
    assert change(world) == [("update_user", "E1012")]


def test_move_to_another_org_unit(world: World) -> None:
    world.hr.person("E1011")["org_unit"] = "ENG-APPS"
    assert change(world) == [
        ("add_member", "org_unit:ENG-APPS/E1011"),
        ("remove_member", "org_unit:ENG-PLAT/E1011"),
    ]


def test_termination_deactivates_and_keeps_results(world: World) -> None:
    world.hr.person("E1020")["status"] = "inactive"
    assert change(world) == [("deactivate_user", "E1020")]
    snapshot = world.sim.snapshot()
    assert snapshot.users["rachel.nguyen@example.com"][3] is False
    assert ("SEC-101", "rachel.nguyen@example.com") in snapshot.enrollments


def test_person_dropped_from_the_export_is_deactivated(world: World) -> None:
    world.hr.people = [p for p in world.hr.people if p["employee_id"] != "E1030"]
    report = world.run()
    assert world.plan(report) == [("deactivate_user", "E1030")]
    assert world.sim.snapshot().users["david.miller@example.com"][3] is False


def test_rehire_reactivates(world: World) -> None:
    world.hr.person("E1020")["status"] = "inactive"
    change(world)
    world.hr.person("E1020")["status"] = "active"
    assert change(world) == [("reactivate_user", "E1020")]


def test_leaver_never_synced_is_created_on_rehire(world: World) -> None:
    world.hr.person("E1009")["status"] = "active"
    plan = change(world)
    assert plan[0] == ("create_user", "E1009")


def test_new_org_unit_under_an_existing_one(world: World) -> None:
    world.hr.org_units.append({"code": "ENG-DATA", "name": "Data", "parent_code": "ENG"})
    world.hr.person("E1013")["org_unit"] = "ENG-DATA"
    assert change(world) == [
        ("create_group", "org_unit:ENG-DATA"),
        ("add_member", "org_unit:ENG-DATA/E1013"),
        ("remove_member", "org_unit:ENG-PLAT/E1013"),
    ]
    assert world.sim.snapshot().branches["ENG-DATA"] == ("Data", "ENG")


def test_org_unit_renamed(world: World) -> None:
    world.hr.unit("SUP-EU")["name"] = "Support EMEA"
    assert change(world) == [("update_group", "org_unit:SUP-EU")]


def test_org_unit_moved_under_another_parent(world: World) -> None:
    world.hr.unit("SUP-EU")["parent_code"] = "SAL"
    assert change(world) == [("move_group", "org_unit:SUP-EU")]
    assert world.sim.snapshot().branches["SUP-EU"] == ("Support Europe", "SAL")


def test_group_rule_change(world: World) -> None:
    world.write_config(sales_countries='["DE", "FR", "IT", "GB", "US"]')
    plan = change(world)
    members = sorted(key for kind, key in plan if kind == "add_member")
    assert members == ["group:sales-emea/E1007", "group:sales-emea/E1008"]
    assert sorted(key for kind, key in plan if kind == "enroll") == [
        "E1007/GDPR-201",
        "E1008/GDPR-201",
    ]
    assert len(plan) == 4


def test_course_assignment_added_then_removed(world: World) -> None:
    world.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": "2026-12-31"}
    )
    assert change(world) == [("enroll", "E1026/LEAD-401")]
    world.hr.enrollments.pop()
    assert change(world) == [("unenroll", "E1026/LEAD-401")]
