"""Dokeos end to end, with `notify` on and off: a first load and a removal make Dokeos do
nothing on its own that the plan would have to say (no source names an email, a seat or
deleted results), so the run says nothing of it and the simulator records none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.dokeos_world import DokeosWorld


@pytest.mark.parametrize("notify", ["true", "false"])
def test_a_first_load_and_a_removal_do_nothing_on_their_own(
    tmp_path: Path, database_url: str, notify: str
) -> None:
    world = DokeosWorld(tmp_path, database_url, notify=notify)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert world.plan(report), "a first load writes"
    assert report.targets[0].message is None
    world.poll_jobs()
    world.hr.enrollments = [e for e in world.hr.enrollments if e["employee_id"] != "E1028"]
    report = world.run()
    assert ("unenroll", "E1028/GDPR-201") in world.plan(report)
    assert report.targets[0].message is None
    world.poll_jobs()
    assert world.sim.side_effects() == {}
