"""The HR change scenarios end to end, on every LMS (WORLDS) and on both databases.

Each scenario edits the HR export of a world its first cycle just synced, runs a cycle and
asserts what a user sees: the exact plan, the LMS in step with HR after it, and a next
cycle with nothing to do. Where LMSs differ, the world says how (`managers`,
`nested_groups`, `lists_inactive_members`, `cannot`) and the scenario expects that. What
one LMS alone does stays in its own file (test_dokeos_jobs.py, test_litmos.py,
test_coursepath.py...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SyncedWorld
from tests.e2e.worlds import WORLDS, HrWorld, Plan, change


@pytest.fixture(params=list(WORLDS))
def kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def world_options() -> dict[str, str]:
    """The world's keywords (test_docebo_eras.py asks for another Docebo API era)."""
    return {}


@pytest.fixture
def world(kind: str, world_options: dict[str, str], synced_world: SyncedWorld) -> HrWorld:
    return synced_world(kind, **world_options)


def undone(world: HrWorld, what: str) -> Plan:
    """Run one cycle that leaves `what` undone, as this LMS's API cannot make it: every run
    says so, and `syncd status` too. The plan it carried out."""
    report = world.run()
    message = f"left undone, the {world.kind} API cannot make them: {what} 1"
    assert report.targets[0].status == "ok"
    assert report.targets[0].message == message
    again = world.run()
    assert world.plan(again) == []
    assert again.targets[0].message == message
    code, out, _ = world.cli("status")
    assert code == 0
    assert message in out
    return world.plan(report)


def managing(world: HrWorld, *ops: tuple[str, str]) -> Plan:
    """The manager memberships `ops`, where the LMS has managers."""
    return list(ops) if world.managers else []


def members_of(world: HrWorld, ref: str, name: str | None = None) -> set[str]:
    key = world.group_key(ref, name)
    return {login for group, login in world.state().members if group == key}


def test_first_sync_creates_everything_and_converges(
    kind: str, world_options: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    world = WORLDS[kind](tmp_path, database_url, **world_options)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert report.targets[0].message is None
    world.assert_in_step()
    refused = [(r.path, r.status) for r in world.sim.requests if r.status in {429, 503}]
    assert refused == [], "the first load stays under the LMS's limits"
    state = world.state()
    assert len(state.users) == 34  # 36 people, 2 of them inactive: leavers are not created
    assert {world.login("E1009"), world.login("E1024")}.isdisjoint(state.users)
    sales_emea, rule = world.group_key("org_unit:SAL-EMEA"), world.group_key("group:sales-emea")
    parent = world.group_key("org_unit:SAL") if world.nested_groups else None
    assert state.groups[sales_emea] == ("Sales EMEA", parent)
    assert state.groups[world.group_key("org_unit:ACME")] == ("Acme Group", None)
    assert state.groups[rule] == (world.group_names()["group:sales-emea"], None)
    assert sales_emea != rule, "an org unit and a config group stay two groups"
    assert world.login("E1002") in members_of(world, "org_unit:SAL-EMEA")
    assert world.login("E1002") in members_of(world, "group:sales-emea")
    assert world.login("E1001") not in members_of(world, "org_unit:SAL-EMEA")
    assert world.plan(world.run()) == []


def test_new_hire(world: HrWorld) -> None:
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
    email = "nina.vogel@example.com"
    assert world.state().users[world.login("E2001")] == (email, "Nina", "Vogel", True)


def test_email_change_renames_the_login_that_defaults_to_it(world: HrWorld) -> None:
    before = world.login("E1003")
    world.hr.person("E1003")["email"] = "giulia.romano-rossi@example.com"
    assert change(world) == [("update_user", "E1003")]
    users = world.state().users
    assert users[world.login("E1003")][0] == "giulia.romano-rossi@example.com"
    assert before not in users
    assert len(users) == 34, "the account is kept, not replaced"


def test_name_change(world: HrWorld) -> None:
    world.hr.person("E1012")["last_name"] = "Dubois-Martin"
    assert change(world) == [("update_user", "E1012")]
    assert world.state().users[world.login("E1012")][2] == "Dubois-Martin"


def test_move_to_another_org_unit(world: HrWorld) -> None:
    world.hr.person("E1011")["org_unit"] = "ENG-APPS"
    assert change(world) == [
        ("add_member", "org_unit:ENG-APPS/E1011"),  # E1010 already manages ENG-APPS
        *managing(world, ("remove_member", "manager@org_unit:ENG-PLAT/E1010")),  # no report
        ("remove_member", "org_unit:ENG-PLAT/E1011"),
    ]
    assert world.login("E1011") in members_of(world, "org_unit:ENG-APPS")
    assert world.login("E1011") not in members_of(world, "org_unit:ENG-PLAT")


def test_termination_deactivates_and_keeps_results_and_memberships(world: HrWorld) -> None:
    world.hr.person("E1020")["status"] = "inactive"
    assert change(world) == [("deactivate_user", "E1020")]
    rachel, state = world.login("E1020"), world.state()
    assert state.users[rachel][3] is False  # deactivated, not deleted
    assert ("SEC-101", rachel) in state.enrollments
    assert (world.group_key("org_unit:ENG-PLAT"), rachel) in state.members


def test_person_dropped_from_the_export_is_deactivated(world: HrWorld) -> None:
    david = world.login("E1030")
    world.hr.people = [p for p in world.hr.people if p["employee_id"] != "E1030"]
    report = world.run()
    assert world.plan(report) == [("deactivate_user", "E1030")]
    assert world.state().users[david][3] is False
    assert world.plan(world.run()) == []


def test_rehire_reactivates(world: HrWorld) -> None:
    world.hr.person("E1020")["status"] = "inactive"
    assert change(world) == [("deactivate_user", "E1020")]
    world.hr.person("E1020")["status"] = "active"
    rachel = world.login("E1020")
    # Where the LMS lists a group's active members only, the read taken while Rachel was
    # inactive showed none of her groups: syncd adds her again (the LMS kept her; adding
    # is idempotent), and the LMS ends with exactly her groups.
    readded = sorted(
        ("add_member", f"{ref}/E1020")
        for ref, login in world.expectation().members
        if login == rachel
    )
    assert change(world) == [
        ("reactivate_user", "E1020"),
        *([] if world.lists_inactive_members else readded),
    ]
    assert world.state().users[rachel][3] is True


def test_leaver_never_synced_is_created_on_rehire(world: HrWorld) -> None:
    world.hr.person("E1009")["status"] = "active"
    assert change(world) == [
        ("create_user", "E1009"),
        ("add_member", "group:all-staff/E1009"),
        ("add_member", "org_unit:SAL-NA/E1009"),
        ("enroll", "E1009/SEC-101"),
    ]


def test_new_org_unit_under_an_existing_one(world: HrWorld) -> None:
    world.hr.org_units.append({"code": "ENG-DATA", "name": "Data", "parent_code": "ENG"})
    assert change(world) == [("create_group", "org_unit:ENG-DATA")]  # empty, still made
    data = world.group_key("org_unit:ENG-DATA")
    parent = world.group_key("org_unit:ENG") if world.nested_groups else None
    assert world.state().groups[data] == ("Data", parent)


def test_new_org_unit_and_a_move_into_it_in_one_cycle(world: HrWorld) -> None:
    world.hr.org_units.append({"code": "ENG-DATA", "name": "Data", "parent_code": "ENG"})
    world.hr.person("E1013")["org_unit"] = "ENG-DATA"
    assert change(world) == [
        ("create_group", "org_unit:ENG-DATA"),
        *managing(world, ("add_member", "manager@org_unit:ENG-DATA/E1011")),
        ("add_member", "org_unit:ENG-DATA/E1013"),
        ("remove_member", "org_unit:ENG-PLAT/E1013"),
    ]
    assert world.login("E1013") in members_of(world, "org_unit:ENG-DATA")


SUPPORT_EUROPE = ("E1031", "E1032", "E1033", "E1034")


def test_org_unit_renamed(world: HrWorld) -> None:
    world.hr.unit("SUP-EU")["name"] = "Support EMEA"
    if "update_group" not in world.cannot:
        assert change(world) == [("update_group", "org_unit:SUP-EU")]
        assert world.state().groups[world.group_key("org_unit:SUP-EU")][0] == "Support EMEA"
        return
    # The group keeps its old name, place and members; no group of the new name appears.
    # A user renames it in the LMS's own UI.
    assert undone(world, "update_group") == []
    state, old = world.state(), world.group_key("org_unit:SUP-EU", "Support Europe")
    parent = world.group_key("org_unit:SUP") if world.nested_groups else None
    assert state.groups[old] == ("Support Europe", parent)
    assert "Support EMEA" not in {name for name, _ in state.groups.values()}
    assert members_of(world, "org_unit:SUP-EU", "Support Europe") == {
        world.login(e) for e in SUPPORT_EUROPE
    }


def test_org_unit_moved_under_another_parent(world: HrWorld) -> None:
    world.hr.unit("SUP-EU")["parent_code"] = "SAL"
    key = world.group_key("org_unit:SUP-EU")
    if not world.nested_groups:
        assert change(world) == []  # groups without parents: nothing to move
        return
    if "move_group" in world.cannot:
        assert undone(world, "move_group") == []
        assert world.state().groups[key][1] == world.group_key("org_unit:SUP")
        return
    assert change(world) == [("move_group", "org_unit:SUP-EU")]
    assert world.state().groups[key] == ("Support Europe", world.group_key("org_unit:SAL"))


def test_group_rule_change(world: HrWorld) -> None:
    world.write_config(sales_countries='["DE", "FR", "IT", "GB", "US"]')
    assert change(world) == [
        ("add_member", "group:sales-emea/E1007"),
        ("add_member", "group:sales-emea/E1008"),
        ("enroll", "E1007/GDPR-201"),
        ("enroll", "E1008/GDPR-201"),
    ]
    assert {world.login("E1007"), world.login("E1008")} <= members_of(world, "group:sales-emea")


def test_course_assignment_added_then_removed(world: HrWorld) -> None:
    world.hr.enrollments.append({"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""})
    assert change(world) == [("enroll", "E1026/LEAD-401")]
    world.hr.enrollments.pop()
    assert change(world) == [("unenroll", "E1026/LEAD-401")]
    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    assert change(world) == [("unenroll", "E1028/GDPR-201")]
    assert ("GDPR-201", world.login("E1028")) not in world.state().enrollments


def test_a_new_manager_manages_the_reports_org_unit(world: HrWorld) -> None:
    support, lukas = world.group_key("org_unit:SUP"), world.login("E1001")
    if world.managers:
        assert (support, world.login("E1030")) in world.state().managers
        assert (support, lukas) not in world.state().managers
    world.hr.person("E1036")["manager_id"] = "E1001"  # Noah (SUP) now reports to Lukas
    assert change(world) == managing(world, ("add_member", "manager@org_unit:SUP/E1001"))
    assert ((support, lukas) in world.state().managers) is world.managers
