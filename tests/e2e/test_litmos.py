"""Litmos end to end: the HR change scenarios, a name clash between teams, and a sync of
hundreds of changes that stays under the API's rolling rate limit on the fake clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.litmos_world import LitmosWorld


@pytest.fixture
def litmos(tmp_path: Path, database_url: str) -> LitmosWorld:
    world = LitmosWorld(tmp_path, database_url)
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    world.assert_in_step()
    return world


def change(world: LitmosWorld) -> list[tuple[str, str]]:
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    world.assert_in_step()
    assert world.plan(world.run()) == [], "a second cycle must find nothing to do"
    return world.plan(report)


def test_first_sync_makes_teams_and_sub_teams_then_nothing(litmos: LitmosWorld) -> None:
    snapshot = litmos.sim.snapshot()
    assert len(snapshot.users) == 34
    teams = dict(snapshot.teams)
    assert teams["Sales EMEA"] == "Sales"  # an org unit is a sub-team of its parent's team
    assert teams["Sales EMEA (group)"] is None  # a config group is a top-level team
    assert teams["Acme Group"] is None
    assert not [r for r in litmos.sim.requests if r.status == 503]
    assert litmos.plan(litmos.run()) == []


def test_new_hire(litmos: LitmosWorld) -> None:
    litmos.hr.people.append(
        {
            **litmos.hr.person("E1002"),
            "employee_id": "E2001",
            "first_name": "Nina",
            "email": "nina.vogel@example.com",
        }
    )
    assert change(litmos) == [
        ("create_user", "E2001"),
        ("add_member", "group:all-staff/E2001"),
        ("add_member", "group:sales-emea/E2001"),
        ("add_member", "org_unit:SAL-EMEA/E2001"),
        ("enroll", "E2001/GDPR-201"),
        ("enroll", "E2001/SEC-101"),
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda w: w.hr.person("E1003").update(email="giulia.r@example.com"),
            [("update_user", "E1003")],
        ),
        (
            lambda w: w.hr.person("E1012").update(last_name="Dubois-Martin"),
            [("update_user", "E1012")],
        ),
        (
            lambda w: w.hr.person("E1011").update(org_unit="ENG-APPS"),
            [
                ("add_member", "org_unit:ENG-APPS/E1011"),
                ("remove_member", "org_unit:ENG-PLAT/E1011"),
            ],
        ),
        (lambda w: w.hr.person("E1020").update(status="inactive"), [("deactivate_user", "E1020")]),
        (
            lambda w: w.hr.org_units.append(
                {"code": "ENG-DATA", "name": "Data", "parent_code": "ENG"}
            ),
            [("create_group", "org_unit:ENG-DATA")],
        ),
        (
            lambda w: w.hr.enrollments.append(
                {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
            ),
            [("enroll", "E1026/LEAD-401")],
        ),
    ],
    ids=["email", "name", "move", "termination", "new-sub-team", "course-added"],
)
def test_hr_changes(litmos: LitmosWorld, edit: Any, expected: list[tuple[str, str]]) -> None:
    edit(litmos)
    assert change(litmos) == expected


def test_termination_deactivates_and_rehire_reactivates(litmos: LitmosWorld) -> None:
    litmos.hr.person("E1020")["status"] = "inactive"
    assert change(litmos) == [("deactivate_user", "E1020")]
    user = next(u for u in litmos.sim.snapshot().users if u[0] == "rachel.nguyen@example.com")
    assert user[4] is False  # `Active: false`, not deleted
    litmos.hr.person("E1020")["status"] = "active"
    # Litmos lists a team's active members only, so the read taken while Rachel was
    # inactive showed none of her teams: syncd adds them again (Litmos kept them; the
    # POST is idempotent), and the simulator ends with exactly her teams.
    assert change(litmos) == [
        ("reactivate_user", "E1020"),
        ("add_member", "group:all-staff/E1020"),
        ("add_member", "group:engineering/E1020"),
        ("add_member", "org_unit:ENG-PLAT/E1020"),
    ]


def test_course_assignment_added_then_removed(litmos: LitmosWorld) -> None:
    litmos.hr.enrollments.append(
        {"employee_id": "E1026", "course_code": "LEAD-401", "due_date": ""}
    )
    assert change(litmos) == [("enroll", "E1026/LEAD-401")]
    litmos.hr.enrollments = [e for e in litmos.hr.enrollments if e["employee_id"] != "E1026"]
    assert change(litmos) == [("unenroll", "E1026/LEAD-401")]


def test_org_unit_renamed_is_not_planned(litmos: LitmosWorld) -> None:
    """Litmos cannot rename a team: the plan holds no update_group, the team keeps its
    old name (what a Litmos user sees), and every run says what it left undone."""
    litmos.hr.unit("SUP-EU").update(name="Support EMEA")
    report = litmos.run()
    assert report.targets[0].status == "ok"
    assert litmos.plan(report) == []
    undone = "left undone, the litmos API cannot make them: update_group 1"
    assert report.targets[0].message == undone
    assert ("Support Europe", "Customer Support") in litmos.sim.snapshot().teams
    again = litmos.run()
    assert litmos.plan(again) == []
    assert again.targets[0].message == undone
    code, out, _ = litmos.cli("status")
    assert code == 0
    assert undone in out


def test_group_rule_change(litmos: LitmosWorld) -> None:
    litmos.write_config(sales_countries='["DE", "FR", "IT", "GB", "US"]')
    assert change(litmos) == [
        ("add_member", "group:sales-emea/E1007"),
        ("add_member", "group:sales-emea/E1008"),
        ("enroll", "E1007/GDPR-201"),
        ("enroll", "E1008/GDPR-201"),
    ]


def test_config_group_named_like_an_org_unit_is_refused_not_merged(
    tmp_path: Path, database_url: str
) -> None:
    """With the shared rules as they are, "Engineering" and "Sales EMEA" are both an org
    unit and a config group; Litmos team names are unique, so one of each pair cannot be
    created. The connector must not adopt the org unit's team for the config group (that
    would put the group's members into the org unit's team, cycle after cycle)."""
    world = LitmosWorld(tmp_path, database_url, clashing_names=True)
    target = world.run().targets[0]
    assert target.status == "partial"
    refused = {key for kind, key in world.plan(world.run()) if kind == "create_group"}
    assert refused == {"group:engineering", "group:sales-emea"}
    snapshot = world.sim.snapshot()
    assert dict(snapshot.teams)["Engineering"] == "Acme Group"
    in_eng = {p["email"] for p in world.hr.people if p["org_unit"] == "ENG"}
    assert {u for team, u in snapshot.members if team == "Engineering"} == in_eng


def test_five_hundred_new_hires_stay_under_the_rate_limit(litmos: LitmosWorld) -> None:
    """2,000 changes against a 100-per-minute account: the limiter waits on the fake clock,
    the simulator never answers 503, and no request is spent beyond what the plan needs."""
    hires = 500
    before = len(litmos.sim.requests)
    assert litmos.plan(litmos.run()) == []
    read_cost = len(litmos.sim.requests) - before  # what reading the account costs
    litmos.hr.people += [
        {
            **litmos.hr.person("E1036"),  # Support, US: all-staff, org_unit:SUP, SEC-101
            "employee_id": f"E{5000 + n}",
            "first_name": f"Hire{n}",
            "email": f"hire{n}@example.com",
            "manager_id": "",
        }
        for n in range(hires)
    ]
    before = len(litmos.sim.requests)
    started = litmos.clock.monotonic()
    report = litmos.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    plan = litmos.plan(report)
    assert len(plan) >= 500
    sent = litmos.sim.requests[before:]
    assert [r for r in sent if r.status == 503] == []
    writes = [r for r in sent if r.method != "GET"]
    reads = [r for r in sent if r.method == "GET"]
    # The least the API allows for this plan: one POST per new user (Litmos creates one at
    # a time), one POST per team for all its new members (two teams here), one course POST
    # per user (one course each).
    teams = {key.split("/")[0] for kind, key in plan if kind == "add_member"}
    minimum_writes = hires + len(teams) + hires
    # Plus the read of the account before planning, as an empty cycle just made it.
    minimum = minimum_writes + read_cost
    assert len(writes) == minimum_writes, (len(writes), minimum_writes)
    assert len(sent) <= minimum, f"{len(sent)} requests, minimum {minimum} ({len(reads)} reads)"
    minutes = (litmos.clock.monotonic() - started) / 60
    assert minutes >= len(sent) / 100 - 1, f"{len(sent)} requests in {minutes:.1f} min"
    litmos.assert_in_step()
    assert litmos.plan(litmos.run()) == []


# Fields of a Litmos user that HR does not own, set by hand by a Litmos admin.
BY_HAND = {"AccessLevel": "Team_Leader", "TimeZone": "Europe/Berlin", "CustomField3": "CC-7"}


def test_churn_converges_and_keeps_every_field_syncd_does_not_own(litmos: LitmosWorld) -> None:
    """Rename, email change, deactivation, rehire, a move between org units and an
    unenrollment in one cycle: the next plans nothing, and what an admin set by hand on
    each account (access level, time zone, a custom field) survives every write."""
    litmos.hr.person("E1020")["status"] = "inactive"
    change(litmos)  # E1020 leaves first: rehired below
    by_name = {u.username: u.id for u in litmos.sim.state.users.values()}
    touched = ["E1003", "E1012", "E1011", "E1020", "E1030", "E1026"]
    ids = {employee: by_name[employee_key(litmos, employee)] for employee in touched}
    for user_id in ids.values():
        litmos.sim.edit_user(user_id, **BY_HAND)
    litmos.hr.person("E1012").update(last_name="Dubois-Martin")
    litmos.hr.person("E1003").update(email="giulia.r@example.com")
    litmos.hr.person("E1030")["status"] = "inactive"
    litmos.hr.person("E1020")["status"] = "active"
    litmos.hr.person("E1011").update(org_unit="ENG-APPS")
    litmos.hr.enrollments = [
        e
        for e in litmos.hr.enrollments
        if not (e["employee_id"] == "E1026" and e["course_code"] == "GDPR-201")
    ]
    kinds = {kind for kind, _ in change(litmos)}
    assert {"update_user", "deactivate_user", "reactivate_user", "add_member"} <= kinds
    assert {"remove_member"} <= kinds
    for employee, user_id in ids.items():
        record = litmos.sim.user_record(user_id)
        assert {k: record[k] for k in BY_HAND} == BY_HAND, employee


def employee_key(world: LitmosWorld, employee: str) -> str:
    """The username syncd gave an employee's account (their email, as HR sends it)."""
    person = world.hr.person(employee)
    return person.get("username") or person["email"]


def test_a_failed_results_read_holds_back_only_the_enrollments(
    tmp_path: Path, database_url: str
) -> None:
    """A first sync while `/results/details` keeps failing: users and teams, read whole,
    are created; the enrollments wait for a read of the results, and the run says so."""
    world = LitmosWorld(tmp_path, database_url)
    world.sim.fail_next(3, 503, path_prefix="/v1.svc/results/details")
    report = world.run()
    target = report.targets[0]
    assert target.status == "incomplete"
    assert "held back until enrollments can be read whole: enroll" in (target.message or "")
    kinds = {kind for kind, _ in world.plan(report)}
    assert {"create_user", "create_group", "add_member"} <= kinds
    assert "enroll" not in kinds
    assert all(o.status == "done" for o in target.operations)  # nothing planned and failed
    assert len(world.sim.snapshot().users) == 34
    assert world.sim.snapshot().assignments == ()
    after = world.run()
    assert after.targets[0].status == "ok"
    assert {kind for kind, _ in world.plan(after)} == {"enroll"}
    world.assert_in_step()


def test_a_first_load_of_1000_people_meets_no_503(tmp_path: Path, database_url: str) -> None:
    """1,000 people against an account at Litmos's real limit (100 in any rolling 60 s):
    the limiter's margin keeps every request under it."""
    world = LitmosWorld(tmp_path, database_url)
    world.hr.people += [
        {
            **world.hr.person("E1036"),
            "employee_id": f"E{5000 + n}",
            "first_name": f"Hire{n}",
            "email": f"hire{n}@example.com",
            "manager_id": "",
        }
        for n in range(1000 - len(world.hr.people))
    ]
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    assert len(world.sim.snapshot().users) >= 998
    assert [r for r in world.sim.requests if r.status == 503] == []
    assert world.plan(world.run()) == []
