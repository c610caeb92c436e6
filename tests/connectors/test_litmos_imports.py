"""Litmos batches of people go in one `/bulkimports` import (rows for new and existing
people, with the teams and courses they carry, by their bulk-import codes), split by the
2,000 KB limit, where that saves at least the target's threshold in requests; each
operation waits on the import, and the poll reads the failed rows by name. Otherwise, each
person is written alone and what they carry follows with the new ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from syncd.clock import FakeClock
from syncd.connectors.base import JobState, JobStatus
from syncd.connectors.litmos import LitmosConnector, imports
from syncd.operations import (
    AddMember,
    Applied,
    CreateUser,
    DeactivateUser,
    Enroll,
    FieldChange,
    Operation,
    Pending,
    ReactivateUser,
    UpdateUser,
)
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


# --- batches of people: existing accounts in rows too ------------------------------------


def _existing(sim: LitmosSimulator, refs: Refs, n: int, **fields: object) -> RemoteId:
    user = RemoteId(
        sim.seed_user(f"p{n}@acme.com", f"First{n}", f"Last{n}", f"p{n}@acme.com", **fields)
    )
    refs.users[EmployeeId(f"E{n}")] = user
    return user


def test_changes_of_existing_people_ride_in_rows_that_set_only_what_syncd_owns(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    """A rename, a deactivation, a reactivation and an existing person's new team and course
    go in rows with the creates where the target lets imports update accounts: each row
    names the account's Username, Email, FirstName, LastName (required) and Active, as read
    or as changed; no other field (a row blanks what it names). One import, one status
    poll, one walk for the new account's id."""
    refs = Refs()
    _world(litmos_sim, refs)
    kept = _existing(litmos_sim, refs, 1, CustomField3="CC-7", City="Oslo")
    leaver = _existing(litmos_sim, refs, 2)
    back = _existing(litmos_sim, refs, 3, Active=False)
    mover = _existing(litmos_sim, refs, 4)
    litmos = make_litmos(update_accounts_by_import=True, bulk_import_threshold=1)
    list(litmos.fetch())  # the read the rows are made from
    fetched = len(litmos_sim.requests)
    renamed = replace(person(1), last_name="Renamed")
    batch: list[Operation] = [
        CreateUser(person(5)),
        UpdateUser(renamed, (FieldChange("last_name", "Last1", "Renamed"),)),
        DeactivateUser(EmployeeId("E2")),
        ReactivateUser(EmployeeId("E3")),
        AddMember(SALES, EmployeeId("E4")),
        Enroll(EmployeeId("E4"), CourseCode("SEC-101")),
        AddMember(SALES, EmployeeId("E5")),
    ]
    outcomes = litmos.apply(batch, refs)
    assert all(isinstance(o, Pending) for o in outcomes)
    [body] = _posted(litmos_sim, "POST", "/v1.svc/bulkimports")
    rows = {row["Username"]: row for row in body["UserImport"]}  # type: ignore[index]
    sales = render.team_code(litmos_sim.state.teams[refs.groups[SALES]])
    course = render.course_code(litmos_sim.state.courses[refs.courses[CourseCode("SEC-101")]])
    names = {"Email": "p1@acme.com", "FirstName": "First1", "LastName": "Renamed"}
    assert rows["p1@acme.com"] == {"Username": "p1@acme.com", **names, "Active": True}
    assert rows["p2@acme.com"]["Active"] is False
    assert rows["p3@acme.com"]["Active"] is True
    assert rows["p4@acme.com"] == {
        "Username": "p4@acme.com",
        "Email": "p4@acme.com",
        "FirstName": "First4",
        "LastName": "Last4",
        "Active": True,
        "Team1": sales,
        "Course1": course,
    }
    assert rows["p5@acme.com"]["Team1"] == sales
    clock.advance(SETTLED)
    [job_id] = {o.job_id for o in outcomes if isinstance(o, Pending)}
    assert litmos.poll_job(job_id).failed_items == {}
    paths = [r.path for r in litmos_sim.requests[fetched:]]
    assert paths == ["/v1.svc/bulkimports", f"/v1.svc/bulkimports/{job_id}", "/v1.svc/users"]
    # What the row leaves out (CustomField3, City) is the risk the target took on: the
    # simulator resets it, the strictest reading (test_litmos_bulk.py).
    assert litmos_sim.user_record(kept)["LastName"] == "Renamed"
    assert litmos_sim.user_record(leaver)["Active"] is False
    assert litmos_sim.user_record(back)["Active"] is True
    snapshot = litmos_sim.snapshot()
    assert ("Sales", "p4@acme.com") in snapshot.members
    assert ("p4@acme.com", "SEC-101", False, None) in snapshot.assignments
    assert mover in litmos_sim.state.users


def test_an_update_import_walks_no_accounts_and_a_failed_row_fails_its_operations(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    """No new account: the poll learns no id, so no walk of `GET /users`. A row Litmos
    refuses fails every operation it carried, with Litmos's words, by username."""
    refs = Refs()
    _world(litmos_sim, refs)
    _existing(litmos_sim, refs, 1)
    _existing(litmos_sim, refs, 2)
    litmos = make_litmos(update_accounts_by_import=True, bulk_import_threshold=1)
    list(litmos.fetch())
    bad = replace(person(2), email="not-an-email")
    batch: list[Operation] = [
        UpdateUser(bad, (FieldChange("email", "p2@acme.com", "not-an-email"),)),
        DeactivateUser(EmployeeId("E1")),
        AddMember(SALES, EmployeeId("E2")),
        AddMember(MENTORS, EmployeeId("E1")),
        AddMember(MENTORS, EmployeeId("E2")),
    ]
    outcomes = litmos.apply(batch, refs)
    [job_id] = {o.job_id for o in outcomes if isinstance(o, Pending)}
    assert [o.item for o in outcomes if isinstance(o, Pending)] == [
        "p2@acme.com", "p1@acme.com", "p2@acme.com", "p1@acme.com", "p2@acme.com"
    ]  # fmt: skip
    clock.advance(SETTLED)
    before = len(litmos_sim.requests)
    state = litmos.poll_job(job_id)
    assert state.failed_items == {"p2@acme.com": "Failed - Invalid Email"}
    assert state.remote_ids == {}
    paths = [r.path for r in litmos_sim.requests[before:]]
    assert paths == [f"/v1.svc/bulkimports/{job_id}", f"/v1.svc/bulkimports/{job_id}/usererrors"]


def test_a_username_change_or_an_account_the_read_did_not_see_goes_by_put(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    """An import finds an account by Username, so a new username is a read-modify-write;
    so is a change of an account the read did not see (its row could not name it)."""
    refs = Refs()
    _world(litmos_sim, refs)
    first = _existing(litmos_sim, refs, 1)
    litmos = make_litmos(update_accounts_by_import=True, bulk_import_threshold=1)
    list(litmos.fetch())
    second = _existing(litmos_sim, refs, 2)  # made after the read
    moved = replace(person(1), username="p1.new@acme.com")
    batch: list[Operation] = [
        UpdateUser(moved, (FieldChange("username", "p1@acme.com", "p1.new@acme.com"),)),
        DeactivateUser(EmployeeId("E2")),
    ]
    assert litmos.apply(batch, refs) == [Applied(), Applied()]
    assert _posted(litmos_sim, "POST", "/v1.svc/bulkimports") == []
    puts = [r.path for r in litmos_sim.requests if r.method == "PUT"]
    assert puts == [f"/v1.svc/users/{first}", f"/v1.svc/users/{second}"]


def test_an_import_that_saves_fewer_requests_than_the_threshold_is_not_sent(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    """Two changes one by one are 4 requests (a GET and a PUT each); as an import, 2 (its
    POST and a status poll): it saves 2, under a threshold of 3, so they go one by one."""
    refs = Refs()
    _world(litmos_sim, refs)
    _existing(litmos_sim, refs, 1)
    _existing(litmos_sim, refs, 2)
    batch: list[Operation] = [DeactivateUser(EmployeeId("E1")), DeactivateUser(EmployeeId("E2"))]
    litmos = make_litmos(update_accounts_by_import=True, bulk_import_threshold=3)
    list(litmos.fetch())
    assert litmos.apply(batch, refs) == [Applied(), Applied()]
    assert _posted(litmos_sim, "POST", "/v1.svc/bulkimports") == []
    litmos = make_litmos(update_accounts_by_import=True, bulk_import_threshold=2)
    list(litmos.fetch())
    assert all(isinstance(o, Pending) for o in litmos.apply(batch, refs))


def test_by_default_existing_accounts_change_one_by_one_and_new_people_still_import(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    """No source says what an update row does to the fields it leaves out (a PUT resets
    them), so unless the target sets `update_accounts_by_import`, an existing account's
    changes are a read-modify-write (GET then PUT, every other field kept) and only new
    people ride in the import."""
    refs = Refs()
    _world(litmos_sim, refs)
    kept = _existing(litmos_sim, refs, 1, CustomField3="CC-7", City="Oslo")
    litmos = make_litmos(bulk_import_threshold=1)
    list(litmos.fetch())
    renamed = replace(person(1), last_name="Renamed")
    batch: list[Operation] = [CreateUser(person(n)) for n in range(5, 9)]
    batch.append(UpdateUser(renamed, (FieldChange("last_name", "Last1", "Renamed"),)))
    outcomes = litmos.apply(batch, refs)
    assert [type(o) for o in outcomes] == [Pending] * 4 + [Applied]
    [body] = _posted(litmos_sim, "POST", "/v1.svc/bulkimports")
    assert [row["Username"] for row in body["UserImport"]] == [
        f"p{n}@acme.com" for n in range(5, 9)
    ]  # type: ignore[index]
    assert [r.path for r in litmos_sim.requests if r.method == "PUT"] == [f"/v1.svc/users/{kept}"]
    record = litmos_sim.user_record(kept)
    assert (record["LastName"], record["CustomField3"], record["City"]) == (
        "Renamed",
        "CC-7",
        "Oslo",
    )
