"""`on_leave = "delete"`: leavers' accounts that syncd created are deleted, adopted ones are
deactivated, deletions count against `safety.max_deactivate`, and the default deactivates."""

from __future__ import annotations

from sqlalchemy import select

from syncd.store import Database
from syncd.store.schema import LinkRow
from tests.e2e.harness import World

RACHEL = "rachel.nguyen@example.com"  # E1020: nobody's manager, no extra enrollments
NOAH = "noah.garcia@example.com"  # E1036: nobody's manager


def link_keys(world: World) -> set[tuple[str, str]]:
    db = Database(world.database_url)
    with db.session() as session:
        rows = session.execute(select(LinkRow.kind, LinkRow.hr_key)).all()
    db.dispose()
    return {(kind, key) for kind, key in rows}


def owned_by(keys: set[tuple[str, str]], emp: str) -> set[tuple[str, str]]:
    """The user, membership and enrollment links of one employee."""
    return {(k, key) for k, key in keys if emp in (key, *key.split("/"))}


def adopting_world(fresh: World) -> World:
    """A Docebo that already had Lukas (E1001) and Sarah (E1016), synced once with deletion."""
    fresh.sim.seed_user("lukas.becker@example.com", "lukas.becker@example.com", "Lukas", "Becker")
    fresh.sim.seed_user("sarah.oconnor@example.com", "sarah.oconnor@example.com", "Sarah", "O'C")
    fresh.write_config(on_leave="delete")
    assert fresh.run().targets[0].status == "ok"
    return fresh


def test_a_leaver_syncd_created_is_deleted_and_a_rehire_is_created_again(synced: World) -> None:
    synced.write_config(on_leave="delete")
    assert owned_by(link_keys(synced), "E1020")
    synced.hr.person("E1020")["status"] = "inactive"
    report = synced.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert synced.plan(report) == [("delete_user", "E1020")]
    state = synced.sim.snapshot()
    assert RACHEL not in state.users
    assert not any(user == RACHEL for _, user in state.group_members | state.branch_members)
    assert not any(user == RACHEL for _, user in state.enrollments)
    assert owned_by(link_keys(synced), "E1020") == set()
    synced.assert_in_step()
    assert synced.plan(synced.run()) == []
    synced.hr.person("E1020")["status"] = "active"
    rehired = synced.plan(synced.run())
    assert ("create_user", "E1020") in rehired
    assert ("enroll", "E1020/SEC-101") in rehired
    assert synced.sim.snapshot().users[RACHEL][3] is True
    synced.assert_in_step()
    assert synced.plan(synced.run()) == []


def test_a_person_gone_from_hr_is_deleted(synced: World) -> None:
    synced.write_config(on_leave="delete")
    synced.hr.people = [p for p in synced.hr.people if p["employee_id"] != "E1036"]
    report = synced.run()
    assert synced.plan(report) == [("delete_user", "E1036")]
    assert NOAH not in synced.sim.snapshot().users
    assert owned_by(link_keys(synced), "E1036") == set()
    assert synced.plan(synced.run()) == []


def test_an_account_already_deactivated_is_deleted_once_on_leave_says_delete(
    synced: World,
) -> None:
    synced.hr.person("E1020")["status"] = "inactive"
    assert synced.plan(synced.run()) == [("deactivate_user", "E1020")]
    assert synced.sim.snapshot().users[RACHEL][3] is False
    synced.write_config(on_leave="delete")
    assert synced.plan(synced.run()) == [("delete_user", "E1020")]
    assert RACHEL not in synced.sim.snapshot().users


def test_an_adopted_leaver_is_deactivated_not_deleted(fresh: World) -> None:
    world = adopting_world(fresh)
    for emp in ("E1001", "E1020"):
        world.hr.person(emp)["status"] = "inactive"
    report = world.run()
    assert world.plan(report) == [("deactivate_user", "E1001"), ("delete_user", "E1020")]
    users = world.sim.snapshot().users
    assert users["lukas.becker@example.com"][3] is False
    assert RACHEL not in users
    assert ("user", "E1001") in link_keys(world)
    assert world.plan(world.run()) == []


def test_deletions_and_deactivations_count_together_against_max_deactivate(
    fresh: World,
) -> None:
    world = adopting_world(fresh)
    world.write_config(max_deactivate="3")
    for emp in ("E1001", "E1016", "E1020", "E1036"):
        world.hr.person(emp)["status"] = "inactive"
    target = world.run().targets[0]
    assert target.status == "stopped"
    assert "the plan would delete or deactivate 4 of 34 managed users" in (target.message or "")
    assert "safety.max_deactivate = 3 (at most 3)" in (target.message or "")
    assert {RACHEL, NOAH} <= set(world.sim.snapshot().users)
    forced = world.run(force=True)
    assert forced.targets[0].status == "ok"
    assert world.plan(forced) == [
        ("deactivate_user", "E1001"),
        ("deactivate_user", "E1016"),
        ("delete_user", "E1020"),
        ("delete_user", "E1036"),
    ]
    assert not {RACHEL, NOAH} & set(world.sim.snapshot().users)


def test_a_dry_run_plans_the_deletion_and_deletes_nothing(synced: World) -> None:
    synced.write_config(on_leave="delete")
    synced.hr.person("E1020")["status"] = "inactive"
    report = synced.run(dry_run=True)
    assert synced.plan(report) == [("delete_user", "E1020")]
    assert RACHEL in synced.sim.snapshot().users
    assert ("user", "E1020") in link_keys(synced)


def test_the_default_still_deactivates(synced: World) -> None:
    assert "on_leave" not in synced.config_path.read_text(encoding="utf-8")
    synced.hr.person("E1020")["status"] = "inactive"
    synced.hr.people = [p for p in synced.hr.people if p["employee_id"] != "E1036"]
    report = synced.run()
    assert synced.plan(report) == [("deactivate_user", "E1020"), ("deactivate_user", "E1036")]
    users = synced.sim.snapshot().users
    assert users[RACHEL][3] is False
    assert users[NOAH][3] is False
    assert owned_by(link_keys(synced), "E1020")
