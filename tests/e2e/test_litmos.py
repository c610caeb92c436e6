"""Litmos end to end, what only Litmos does: a name clash between teams, a sync of
hundreds of changes that stays under the API's rolling rate limit on the fake clock, the
fields a Litmos admin sets by hand, results read apart. The HR change scenarios are
test_hr_scenarios.py's, on every LMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import SyncedWorld
from tests.e2e.litmos_world import LitmosWorld
from tests.e2e.worlds import change


@pytest.fixture
def litmos(synced_world: SyncedWorld) -> LitmosWorld:
    return synced_world("litmos")  # type: ignore[return-value]


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


def test_five_hundred_new_hires_stay_under_the_rate_limit(
    tmp_path: Path, database_url: str
) -> None:
    """2,000 changes against a 100-per-minute account, right after its first sync (whose
    requests both the account and syncd's limiter still count): the new hires go in one
    user import with their teams and courses, the simulator never answers 503, and no
    request is spent beyond what the plan needs."""
    litmos = LitmosWorld(tmp_path, database_url)
    assert litmos.run().targets[0].status == "ok"
    litmos.assert_in_step()
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
    # The least the API allows for this plan: one user import carrying every new hire with
    # their team and course (500 rows, far under 2,000 KB); then its poll: one look at the
    # import and one walk of the accounts (pages of 1000, to an empty page) for their ids.
    assert len(writes) == 1, len(writes)
    assert [r.path for r in writes] == ["/v1.svc/bulkimports"]
    accounts = len(litmos.sim.snapshot().users)
    minimum_polls = 1 + -(-accounts // 1000) + 1  # the import; full pages and the empty one
    # Plus the read of the account before planning, as an empty cycle just made it.
    minimum = 1 + minimum_polls + read_cost
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
    ids = {employee: by_name[litmos.login(employee)] for employee in touched}
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
