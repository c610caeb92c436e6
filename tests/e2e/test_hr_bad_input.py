"""Bad HR input after a good first cycle: the row is quarantined (listed with its file, line
and reason) and what it described stays as it was in the LMS; a typo is never a removal."""

from __future__ import annotations

import pytest

from tests.e2e.harness import World


@pytest.fixture
def world(synced: World) -> World:
    synced.assert_in_step()
    return synced


def quarantine_listing(world: World) -> str:
    code, status, _ = world.cli("status")
    assert code == 0
    return status


def test_a_malformed_due_date_plans_no_unenroll_and_is_listed(world: World) -> None:
    row = next(e for e in world.hr.enrollments if e["employee_id"] == "E1034")
    assert ("LEAD-401", "george.evans@example.com") in world.sim.snapshot().enrollments
    line = world.hr.enrollments.index(row) + 2  # after the header
    row["due_date"] = "31/12/2026"
    report = world.run()
    assert report.targets[0].status == "ok"
    assert world.plan(report) == []
    assert ("LEAD-401", "george.evans@example.com") in world.sim.snapshot().enrollments
    assert (
        f"enrollments.csv:{line}: malformed due_date '31/12/2026' (use yyyy-mm-dd)"
        in quarantine_listing(world)
    )


def test_a_nul_byte_in_a_name_is_quarantined_and_the_person_kept(world: World) -> None:
    world.hr.person("E1003")["first_name"] = "Giu\x00lia"
    world.hr.person("E1012")["last_name"] = "Dubois-Martin"  # the rest of the import goes on
    report = world.run()
    assert report.targets[0].status == "ok"
    assert world.plan(report) == [("update_user", "E1012")]
    assert world.sim.snapshot().users["giulia.romano@example.com"][1:4] == (
        "Giulia",
        "Romano",
        True,
    )
    assert "people.csv:4: first_name contains a NUL byte" in quarantine_listing(world)


def test_an_overlong_field_keeps_the_person_as_they_were(world: World) -> None:
    world.hr.person("E1005")["last_name"] = "M" * 200_000
    report = world.run()
    assert report.targets[0].status == "ok"
    assert world.plan(report) == []
    assert "people.csv:6: last_name is 200000 characters long (at most 255)" in (
        quarantine_listing(world)
    )
