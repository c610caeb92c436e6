"""Litmos user creates at or above the target's threshold go in one `/bulkimports` import
with the teams and courses they carry (by their bulk-import codes), split by the 2,000 KB
limit; each operation waits on the import, and the poll reads the failed rows by name.
Below the threshold, each person is created alone and what they carry follows with the
new ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from syncd.clock import FakeClock
from syncd.connectors.base import JobState, JobStatus
from syncd.connectors.litmos import LitmosConnector, imports
from syncd.operations import AddMember, Applied, CreateUser, Enroll, Operation, Pending
from syncd.records import CourseCode, EmployeeId, GroupKind, GroupRef, Person, RemoteId
from syncd.sandbox.litmos import LitmosSimulator, render
from tests.lms_fixtures import Refs

LitmosMaker = Callable[..., LitmosConnector]
SALES = GroupRef(GroupKind.ORG_UNIT, "SAL")
MENTORS = GroupRef(GroupKind.GROUP, "mentors")
SETTLED = 5.0 + 0.05 * 1000  # the schedule below, for up to 1000 rows


@pytest.fixture(autouse=True)
def _slow_imports(litmos_sim: LitmosSimulator) -> None:
    """Imports wait 5 s, then take 50 ms a row."""
    litmos_sim.state.import_queue, litmos_sim.state.import_per_row = 5.0, 0.05


def person(n: int) -> Person:
    return Person(
        employee_id=EmployeeId(f"E{n}"),
        email=f"p{n}@acme.com",
        first_name=f"First{n}",
        last_name=f"Last{n}",
        username=f"p{n}@acme.com",
    )


def _world(sim: LitmosSimulator, refs: Refs) -> None:
    refs.groups[SALES] = RemoteId(sim.seed_team("Sales", description="org_unit:SAL"))
    refs.groups[MENTORS] = RemoteId(sim.seed_team("Mentors", description="group:mentors"))
    refs.courses[CourseCode("SEC-101")] = RemoteId(sim.seed_course("SEC-101", "Security"))


def _batch(people: range) -> list[Operation]:
    creates: list[Operation] = [CreateUser(person(n)) for n in people]
    carried: list[Operation] = []
    for n in people:
        emp = EmployeeId(f"E{n}")
        carried += [AddMember(SALES, emp), AddMember(MENTORS, emp)]
        carried.append(Enroll(emp, CourseCode("SEC-101")))
    return creates + carried


def _posted(sim: LitmosSimulator, method: str, path: str) -> list[object]:
    return [r.body for r in sim.requests if r.method == method and r.path == path]


def test_a_batch_at_the_threshold_is_one_import_carrying_teams_and_courses(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(bulk_import_threshold=3, skip_first_login=True)
    outcomes = litmos.apply(_batch(range(3)), refs)
    [body] = _posted(litmos_sim, "POST", "/v1.svc/bulkimports")
    [sent] = [r for r in litmos_sim.requests if r.path == "/v1.svc/bulkimports"]
    assert sent.query["sendmessage"] == ("false",)
    assert sent.query["skipfirstlogin"] == ("true",)
    state = litmos_sim.state
    teams = {t.name: render.team_code(t) for t in state.teams.values()}
    course = render.course_code(state.courses[refs.courses[CourseCode("SEC-101")]])
    assert body == {
        "UserImport": [
            {
                "Username": f"p{n}@acme.com",
                "Email": f"p{n}@acme.com",
                "FirstName": f"First{n}",
                "LastName": f"Last{n}",
                "Active": True,
                "Team1": teams["Sales"],
                "Team2": teams["Mentors"],
                "Course1": course,
            }
            for n in range(3)
        ]
    }
    assert all(isinstance(o, Pending) for o in outcomes)
    job_ids = {o.job_id for o in outcomes if isinstance(o, Pending)}
    assert len(job_ids) == 1
    items = [o.item for o in outcomes if isinstance(o, Pending)]
    assert items[:3] == ["p0@acme.com", "p1@acme.com", "p2@acme.com"]
    assert items[3:6] == ["p0@acme.com"] * 3  # the first person's carried operations
    [job_id] = job_ids
    assert litmos.poll_job(job_id) == JobState(JobStatus.PENDING)
    clock.advance(SETTLED)
    before = len(litmos_sim.requests)
    done = litmos.poll_job(job_id)
    assert (done.status, done.failed_items) == (JobStatus.DONE, {})
    users = {u.username: u.id for u in litmos_sim.state.users.values()}
    assert done.remote_ids == users  # the new accounts' ids, by username
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == [f"/v1.svc/bulkimports/{job_id}", "/v1.svc/users"]  # no usererrors
    snapshot = litmos_sim.snapshot()
    assert len(snapshot.users) == 3
    assert len(snapshot.members) == 6
    assert len(snapshot.assignments) == 3


def test_the_poll_names_the_failed_rows_with_litmos_s_words(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(bulk_import_threshold=2)
    batch = _batch(range(2))
    batch[1] = CreateUser(replace(person(1), email="not-an-email"))
    outcomes = litmos.apply(batch, refs)
    job_id = {o.job_id for o in outcomes if isinstance(o, Pending)}.pop()
    clock.advance(SETTLED)
    state = litmos.poll_job(job_id)
    assert state.status is JobStatus.DONE
    assert state.failed_items == {"p1@acme.com": "Failed - Invalid Email"}


def test_imports_are_cut_by_the_2000_kb_limit_on_the_json_sent(
    litmos_sim: LitmosSimulator,
    make_litmos: LitmosMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    outcomes = make_litmos(bulk_import_threshold=2).apply(_batch(range(10)), refs)
    sent = [r for r in litmos_sim.requests if r.path == "/v1.svc/bulkimports"]
    assert len(sent) > 1
    assert all(imports.encoded_size(r.body) <= 1000 for r in sent)
    assert sum(len(r.body["UserImport"]) for r in sent) == 10  # type: ignore[index]
    assert len({o.job_id for o in outcomes if isinstance(o, Pending)}) == len(sent)


def test_one_walk_of_the_accounts_serves_every_import_completed_before_it(
    litmos_sim: LitmosSimulator,
    make_litmos: LitmosMaker,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    litmos = make_litmos(bulk_import_threshold=2)
    outcomes = litmos.apply(_batch(range(10)), refs)
    jobs = list(dict.fromkeys(o.job_id for o in outcomes if isinstance(o, Pending)))
    assert len(jobs) == 2
    clock.advance(SETTLED)
    before = len(litmos_sim.requests)
    states = [litmos.poll_job(job) for job in jobs]
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == [*(f"/v1.svc/bulkimports/{job}" for job in jobs), "/v1.svc/users"]
    users = {u.username: u.id for u in litmos_sim.state.users.values()}
    assert len(users) == 10
    assert all(s.status is JobStatus.DONE and s.remote_ids == users for s in states)


def test_an_import_that_cannot_be_looked_at_ahead_is_left_to_its_own_poll(
    litmos_sim: LitmosSimulator,
    make_litmos: LitmosMaker,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    litmos = make_litmos(bulk_import_threshold=2)
    outcomes = litmos.apply(_batch(range(10)), refs)
    first, second = dict.fromkeys(o.job_id for o in outcomes if isinstance(o, Pending))
    clock.advance(SETTLED)
    litmos_sim.fail_next(1, 400, path_prefix=f"/v1.svc/bulkimports/{second}")
    assert litmos.poll_job(first).status is JobStatus.DONE
    before = len(litmos_sim.requests)
    assert len(litmos.poll_job(second).remote_ids) == 10
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == [f"/v1.svc/bulkimports/{second}", "/v1.svc/users"]


def test_an_import_completed_after_the_walk_is_walked_for_again(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(bulk_import_threshold=2)
    [first] = {o.job_id for o in litmos.apply(_batch(range(2)), refs) if isinstance(o, Pending)}
    clock.advance(SETTLED)
    [second] = {o.job_id for o in litmos.apply(_batch(range(2, 4)), refs) if isinstance(o, Pending)}
    assert litmos.poll_job(first).remote_ids.keys() == {"p0@acme.com", "p1@acme.com"}
    clock.advance(SETTLED)
    before = len(litmos_sim.requests)
    assert len(litmos.poll_job(second).remote_ids) == 4
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == [f"/v1.svc/bulkimports/{second}", "/v1.svc/users"]


def test_a_team_created_since_the_read_is_found_by_one_read_of_the_team_list(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(bulk_import_threshold=2)
    list(litmos.fetch())
    refs.groups[SALES] = RemoteId(litmos_sim.seed_team("New team", description="org_unit:SAL"))
    before = len(litmos_sim.requests)
    outcomes = litmos.apply(_batch(range(2)), refs)
    assert all(isinstance(o, Pending) for o in outcomes)
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == ["/v1.svc/teams", "/v1.svc/bulkimports"]  # a short page ends the list


def test_below_the_threshold_each_person_is_created_and_placed_with_the_new_id(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    outcomes = make_litmos().apply(_batch(range(2)), refs)
    assert all(isinstance(o, Applied) for o in outcomes)
    methods = [(r.method, r.path.split("/")[2]) for r in litmos_sim.requests]
    assert methods.count(("POST", "users")) == 2 + 2  # two creates, one assignment each
    assert methods.count(("POST", "teams")) == 2  # one call per team, both people in it
    snapshot = litmos_sim.snapshot()
    assert (len(snapshot.members), len(snapshot.assignments)) == (4, 2)


def test_an_import_litmos_no_longer_knows_is_gone(make_litmos: LitmosMaker) -> None:
    state = make_litmos().poll_job("not-an-import")
    assert state.status is JobStatus.GONE
    assert "Bulk Import Id was not found." in (state.error or "")


def test_a_target_with_its_own_account_settings_creates_one_by_one(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(bulk_import_threshold=2, time_zone="Europe/Berlin")
    assert not litmos.capabilities.create_carries
    outcomes = litmos.apply([CreateUser(person(n)) for n in range(3)], refs)
    assert all(isinstance(o, Applied) for o in outcomes)
    assert _posted(litmos_sim, "POST", "/v1.svc/bulkimports") == []
