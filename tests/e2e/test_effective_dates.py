"""Effective dates end to end, on the fake clock: a future hire is planned but created only
`hr.create_before_start` before their start; a leaver is deactivated at the end of their
last day in their own time zone, not before; leave suspends the account and a return
reactivates it, memberships and enrollments untouched."""

from __future__ import annotations

import datetime as dt
import json

from syncd.cli.render import run_json, run_text
from tests.e2e.harness import World

RACHEL = "rachel.nguyen@example.com"  # E1020, in ENG-PLAT, enrolled by the rules
NEW_HIRE = {
    "employee_id": "E1042",
    "first_name": "Mia",
    "last_name": "Schmidt",
    "email": "mia.schmidt@example.com",
    "status": "active",
    "org_unit": "SAL-EMEA",
    "manager_id": "E1004",
    "department": "Sales",
    "country": "DE",
    "job_title": "Account Executive",
    "start_date": "2026-02-02",
    "timezone": "Europe/Berlin",
}


def at(world: World, moment: dt.datetime) -> None:
    """Move the world's clock to `moment` (it only goes forward)."""
    assert moment >= world.clock.now()
    world.clock.advance((moment - world.clock.now()).total_seconds())


def everything_of(world: World, login: str) -> tuple[set[object], set[object]]:
    """The LMS's group and branch memberships, and the enrollments, of one account."""
    state = world.sim.snapshot()
    members = {m for m in state.group_members | state.branch_members if m[1] == login}
    return members, {e for e in state.enrollments if e[1] == login}


def test_a_future_hire_is_planned_and_created_create_before_start_before_the_start(
    synced: World,
) -> None:
    synced.write_config(create_before_start="14d")
    synced.hr.people.append(NEW_HIRE)
    report = synced.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    assert synced.plan(report) == []
    assert "mia.schmidt@example.com" not in synced.sim.snapshot().users
    # 00:00 in Berlin on 2026-01-19, two weeks before the start: 23:00 UTC the day before.
    coming = "E1042 starts 2026-02-02 (Europe/Berlin), created on 2026-01-19 (2026-01-18T23:00Z)"
    assert report.hr is not None
    assert [change.text for change in report.hr.upcoming] == [coming]
    assert f"Coming changes from HR's dates (the next 20 at most):\n  {coming}\n" in run_text(
        report
    )
    assert json.loads(run_json(report))["hr"]["upcoming"] == [
        {"at": "2026-01-18T23:00:00+00:00", "employee_id": "E1042", "change": coming}
    ]
    code, out, err = synced.cli("status")
    assert code == 0, err
    assert coming in out
    _, out, _ = synced.cli("status", "--format", "json")
    assert [change["change"] for change in json.loads(out)["upcoming"]] == [coming]
    at(synced, dt.datetime(2026, 1, 18, 22, 59, tzinfo=dt.UTC))
    assert synced.plan(synced.run()) == []
    at(synced, dt.datetime(2026, 1, 18, 23, 0, tzinfo=dt.UTC))
    created = synced.plan(synced.run())
    assert ("create_user", "E1042") in created
    assert any(kind == "add_member" and "E1042" in key for kind, key in created)
    assert ("enroll", "E1042/SEC-101") in created
    assert synced.sim.snapshot().users["mia.schmidt@example.com"][3] is True
    synced.assert_in_step()
    assert synced.plan(synced.run()) == []


def test_a_leaver_on_their_last_day_in_tokyo_is_deactivated_at_midnight_there(
    synced: World,
) -> None:
    # 2026-01-05 09:00 UTC is 18:00 in Tokyo: Rachel's last day has six hours to go.
    assert synced.clock.now() == dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    synced.hr.person("E1020").update(end_date="2026-01-05", timezone="Asia/Tokyo")
    before = everything_of(synced, RACHEL)
    assert synced.plan(synced.run()) == []
    code, out, err = synced.cli("status")
    assert code == 0, err
    assert (
        "E1020 leaves at the end of 2026-01-05 (Asia/Tokyo), deactivated at 2026-01-05T15:00Z"
        in out
    )
    at(synced, dt.datetime(2026, 1, 5, 14, 59, 59, tzinfo=dt.UTC))
    assert synced.plan(synced.run()) == []
    assert synced.sim.snapshot().users[RACHEL][3] is True
    at(synced, dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC))
    assert synced.plan(synced.run()) == [("deactivate_user", "E1020")]
    assert synced.sim.snapshot().users[RACHEL][3] is False
    assert everything_of(synced, RACHEL) == before  # a leaver's handling, as today
    assert synced.plan(synced.run()) == []


def test_leave_suspends_and_a_return_reactivates_without_touching_enrollments(
    synced: World,
) -> None:
    before = everything_of(synced, RACHEL)
    assert before[1], "Rachel has enrollments to keep"
    synced.hr.person("E1020")["status"] = "leave"
    assert synced.plan(synced.run()) == [("deactivate_user", "E1020")]
    assert synced.sim.snapshot().users[RACHEL][3] is False
    assert everything_of(synced, RACHEL) == before
    synced.clock.advance(86400 * 30)
    assert synced.plan(synced.run()) == []
    synced.hr.person("E1020")["status"] = "active"
    assert synced.plan(synced.run()) == [("reactivate_user", "E1020")]
    assert synced.sim.snapshot().users[RACHEL][3] is True
    assert everything_of(synced, RACHEL) == before
    synced.assert_in_step()
    assert synced.plan(synced.run()) == []


def test_leave_deactivates_even_where_leavers_accounts_are_deleted(synced: World) -> None:
    synced.write_config(on_leave="delete")
    before = everything_of(synced, RACHEL)
    synced.hr.person("E1020")["status"] = "leave"
    assert synced.plan(synced.run()) == [("deactivate_user", "E1020")]
    assert everything_of(synced, RACHEL) == before
    synced.hr.person("E1020")["status"] = "active"
    assert synced.plan(synced.run()) == [("reactivate_user", "E1020")]
    assert everything_of(synced, RACHEL) == before
    synced.hr.person("E1020")["status"] = "inactive"
    assert synced.plan(synced.run()) == [("delete_user", "E1020")]  # a leaver, as today
