"""Coursepath end to end, what only Coursepath does: it deletes a learner's results with
an unenrollment, so removals wait for the operator's opt-in, and it keys groups by name,
so an org unit and a config group of one name are reported; what it does on its own
(invitation emails, deleted results) is what the plan said. The HR change scenarios
(its missing group rename among them) are test_hr_scenarios.py's, on every LMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from syncd.connectors.base import Effect
from syncd.reconcile.notes import effect_words
from tests.e2e.conftest import SyncedWorld
from tests.e2e.coursepath_world import CoursepathWorld


@pytest.fixture
def keeping_results(synced_world: SyncedWorld) -> CoursepathWorld:
    """A synced academy whose target does not allow result deletion."""
    return synced_world("coursepath", allow_result_deletion="false")  # type: ignore[return-value]


def test_without_result_deletion_nothing_is_unenrolled(keeping_results: CoursepathWorld) -> None:
    world = keeping_results
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
    keeping_results: CoursepathWorld,
) -> None:
    world = keeping_results
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
    world = CoursepathWorld(tmp_path, database_url, clashing_names=True)
    message = world.run().targets[0].message or ""
    assert "groups sharing a name share one coursepath group" in message
    for pair in ("group:engineering/org_unit:ENG", "group:sales-emea/org_unit:SAL-EMEA"):
        assert pair in message


def said(world: CoursepathWorld, before: Mapping[str, int]) -> str:
    """What the run's note must say Coursepath did on its own: the simulator's totals since
    `before`, in the engine's words and order."""
    now = world.sim.side_effects()
    totals = {e: now.get(e.value, 0) - before.get(e.value, 0) for e in Effect}
    listed = ", ".join(effect_words(e, n) for e, n in totals.items() if n)
    return f"coursepath, on its own: {listed}"


def test_with_notify_the_plan_says_what_coursepath_then_does(
    tmp_path: Path, database_url: str
) -> None:
    """A first load with invitations: one welcome email per member created, said by the
    plan and recorded by Coursepath alike; then a course removal deletes results, which
    the plan says no switch stops."""
    world = CoursepathWorld(tmp_path, database_url, notify="true", send_invitations="true")
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    creates = [key for kind, key in world.plan(report) if kind == "create_user"]
    assert len(creates) > 1
    assert world.sim.side_effects() == {"welcome_email": len(creates)}
    assert target.message == said(world, {})
    invited = {i.email for i in world.sim.invitations}
    assert invited == {p["email"] for p in world.hr.people if p["status"] != "inactive"}

    before = world.sim.side_effects()
    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    report = world.run()
    assert world.plan(report) == [("unenroll", "E1028/GDPR-201")]
    assert world.sim.side_effects() == {**before, "results_deleted": 1}
    assert report.targets[0].message == (
        f"{said(world, before)} (results deleted: coursepath's API has no switch)"
    )


def test_without_notify_coursepath_emails_nobody_but_still_deletes_results(
    tmp_path: Path, database_url: str
) -> None:
    world = CoursepathWorld(tmp_path, database_url, notify="false")
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert report.targets[0].message is None
    assert world.sim.side_effects() == {}
    assert not any(r.path.endswith("/invite") for r in world.sim.requests)

    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    report = world.run()
    assert world.sim.side_effects() == {"results_deleted": 1}
    assert report.targets[0].message == (
        "coursepath, on its own: 1 results deleted"
        " (results deleted: coursepath's API has no switch)"
    )
