"""Drift: an HR-owned value changed by hand inside the LMS is put back by the next cycle and
counted, per run and per target, in `syncd status`; a change HR made is not drift."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.e2e.harness import World


def edit_by_hand(world: World, username: str) -> None:
    """What an LMS admin does in Docebo's UI: rename a learner, take her out of a group."""
    sim = world.sim
    with sim.lock:
        user = sim.state.user_by_username(username)
        sim.state.put_user(replace(user, first_name="Lucas"))
        [staff] = [g.group_id for g in sim.state.groups.values() if g.name == "All Staff"]
        sim.state.group_users[staff].discard(user.user_id)


def test_a_hand_edit_is_restored_and_counted(synced: World) -> None:
    edit_by_hand(synced, "lukas.becker@example.com")
    report = synced.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    assert synced.plan(report) == [
        ("update_user", "E1001"),
        ("add_member", "group:all-staff/E1001"),
    ]
    assert target.drift == 2
    synced.assert_in_step()
    assert synced.run().targets[0].drift == 0

    code, out, _ = synced.cli("status", "--format", "json")
    assert code == 0
    [status] = json.loads(out)["targets"]
    assert status["drift"] == 2
    assert [run["drift"] for run in status["runs"]][:3] == [0, 2, 0]
    code, text, _ = synced.cli("status")
    assert "drift restored: 2 value(s) changed by hand in the LMS" in text


def test_a_change_hr_made_is_not_drift(synced: World) -> None:
    synced.hr.person("E1002")["last_name"] = "Laurent-Petit"
    synced.run()  # HR changed: restoring nothing
    edit_by_hand(synced, "lukas.becker@example.com")
    synced.hr.person("E1001")["first_name"] = "Lucas"  # HR now agrees with the hand edit
    report = synced.run()
    assert synced.plan(report) == [("add_member", "group:all-staff/E1001")]
    assert report.targets[0].drift == 1


def test_without_a_run_in_step_nothing_is_drift(fresh: World) -> None:
    assert fresh.run().targets[0].drift == 0
