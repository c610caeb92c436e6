"""Coursepath end to end, what only Coursepath does: it deletes a learner's results with
an unenrollment, so removals wait for the operator's opt-in, and it keys groups by name,
so an org unit and a config group of one name are reported. The HR change scenarios
(its missing group rename among them) are test_hr_scenarios.py's, on every LMS.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
