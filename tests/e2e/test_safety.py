"""Safety: limits on removals, truncated exports, incomplete reads, and what admins add by hand."""

from __future__ import annotations

from sqlalchemy import func, select

from syncd.store import Database
from syncd.store.schema import PersonRow
from tests.e2e.harness import World

LEAVERS = ["E1010", "E1011", "E1012", "E1013", "E1014"]


def test_plan_over_max_deactivate_stops_and_force_applies_it(served: World) -> None:
    for emp in LEAVERS:
        served.hr.person(emp)["status"] = "inactive"
    served.hr.write()
    code, out, _ = served.cli("run", "--once")
    assert code == 1
    assert "stopped" in out
    assert "deactivate 5 of 34 managed users" in out
    assert "safety.max_deactivate = 10% (at most 3)" in out
    assert all(user[3] for user in served.sim.snapshot().users.values())
    code, out, _ = served.cli("run", "--once", "--force")
    assert code == 0
    served.assert_in_step()
    assert sum(not user[3] for user in served.sim.snapshot().users.values()) == 5


def test_plan_within_the_limit_applies(synced: World) -> None:
    for emp in LEAVERS[:3]:
        synced.hr.person(emp)["status"] = "inactive"
    assert synced.run().targets[0].status == "ok"
    synced.assert_in_step()


def test_truncated_export_is_refused_before_the_mirror_changes(served: World) -> None:
    served.hr.people = served.hr.people[:12]
    served.hr.write()
    writes = len(served.sim.writes)
    code, out, _ = served.cli("run", "--once")
    assert code == 1
    assert "HR import refused: 12 people against 36" in out
    assert len(served.sim.writes) == writes
    db = Database(served.database_url)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PersonRow)) == 36
    db.dispose()
    code, out, _ = served.cli("status")
    assert "refused" in out


def test_a_read_broken_off_at_the_enrollments_holds_back_only_enrollments(synced: World) -> None:
    """Users, branches and groups were read whole before the enrollment list broke off: the
    leaver is deactivated and the hire created; every enroll and unenroll waits for a read
    of the enrollments, and the run says so."""
    synced.hr.person("E1020")["status"] = "inactive"
    synced.hr.enrollments = [e for e in synced.hr.enrollments if e["employee_id"] != "E1028"]
    synced.hr.people.append(
        {**synced.hr.person("E1002"), "employee_id": "E2002", "email": "new.hire@example.com"}
    )
    synced.sim.fail_next(3, 503, path_prefix="/learn/v1/enrollments")  # every attempt of a page
    report = synced.run()
    target = report.targets[0]
    assert target.status == "incomplete"
    assert "fetch incomplete" in (target.message or "")
    assert "held back until enrollments can be read whole: enroll" in (target.message or "")
    kinds = {kind for kind, _ in synced.plan(report)}
    assert {"deactivate_user", "create_user"} <= kinds  # users were read whole
    assert not kinds & {"enroll", "unenroll"}
    assert synced.sim.snapshot().users["rachel.nguyen@example.com"][3] is False
    after = synced.run()  # the LMS answers again: the enrollments go through
    assert {"enroll", "unenroll"} <= {k for k, _ in synced.plan(after)}
    synced.assert_in_step()


def test_what_an_admin_added_by_hand_is_left_alone(synced: World) -> None:
    sim = synced.sim
    state = sim.snapshot()
    assert ("Engineering", "lukas.becker@example.com") not in state.group_members
    lukas = sim.state.user_by_username("lukas.becker@example.com")
    assert lukas is not None
    engineering = next(g for g in sim.state.groups.values() if g.name == "Engineering")
    sim.seed_membership(engineering.group_id, lukas.user_id)
    eng_210 = next(c for c in sim.state.courses.values() if c.code == "ENG-210")
    sim.seed_enrollment(eng_210.id, lukas.user_id)
    handmade = sim.seed_branch("VIP", "VIP customers")
    sim.assign_branch(handmade, lukas.user_id)
    assert synced.plan(synced.run()) == []
    after = sim.snapshot()
    assert ("Engineering", "lukas.becker@example.com") in after.group_members
    assert ("ENG-210", "lukas.becker@example.com") in after.enrollments
    assert ("VIP", "lukas.becker@example.com") in after.branch_members


def test_started_courses_are_never_unenrolled(synced: World) -> None:
    sim = synced.sim
    user = sim.state.user_by_username("george.evans@example.com")
    course = next(c for c in sim.state.courses.values() if c.code == "LEAD-401")
    assert user is not None
    sim.seed_enrollment(course.id, user.user_id, status="in_progress")
    synced.hr.enrollments = [e for e in synced.hr.enrollments if e["employee_id"] != "E1034"]
    assert synced.plan(synced.run()) == []
    assert ("LEAD-401", "george.evans@example.com") in sim.snapshot().enrollments
