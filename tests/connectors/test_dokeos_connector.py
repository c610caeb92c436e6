"""The Dokeos connector against the Dokeos simulator: fetch walks every page of every
collection into records, each operation kind lands in the simulator's state (asynchronous
ones once their job settles and polls DONE), participations are looked up within the
5-id filters, jobs poll PENDING, DONE, FAILED and GONE, creates adopt instead of
duplicating, refusals are per operation, and the token reaches no log line or error."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from syncd.clock import FakeClock
from syncd.connectors.base import ConnectorContext, JobState, JobStatus, PollsJobs
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.dokeos import DokeosConnector, mapping
from syncd.connectors.dokeos.client import ACCEPT
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.dokeos.writes import FILTER_LIMIT, Filter, filters
from syncd.errors import ConfigError, FatalError, RetriableError
from syncd.keys import UserKey
from syncd.kinds import build_connector, lookup
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    FieldChange,
    MoveGroup,
    Operation,
    OpKind,
    Outcome,
    Pending,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import (
    CourseCode,
    EmployeeId,
    EnrollmentStatus,
    Group,
    GroupKind,
    GroupRef,
    MemberRole,
    PartRead,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)
from syncd.sandbox import DokeosSimulator
from tests.lms_fixtures import DOKEOS_TOKEN as TOKEN
from tests.lms_fixtures import LosingTransport, Refs

DokeosMaker = Callable[..., DokeosConnector]
Lossy = Callable[..., LosingTransport]
ORG, GRP = GroupKind.ORG_UNIT, GroupKind.GROUP
SAL = GroupRef(ORG, "SAL")
EMEA = GroupRef(GRP, "sales-emea")
WEEK = dt.timedelta(days=7).total_seconds()
SEEDED_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # the FakeClock's start


def person(n: int, **changes: Any) -> Person:
    fields: dict[str, Any] = {
        "employee_id": EmployeeId(f"E{n}"),
        "email": f"p{n}@acme.com",
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "username": f"p{n}@acme.com",
    }
    return Person(**(fields | changes))


def e(n: int) -> EmployeeId:
    return EmployeeId(f"E{n}")


def rid(value: int) -> RemoteId:
    return RemoteId(str(value))


def seed_people(sim: DokeosSimulator, refs: Refs, *numbers: int) -> dict[int, int]:
    ids = {n: sim.seed_user(f"p{n}", f"p{n}@acme.com", f"F{n}", f"L{n}") for n in numbers}
    refs.users.update({e(n): rid(i) for n, i in ids.items()})
    return ids


def seed_courses(sim: DokeosSimulator, refs: Refs, *codes: str) -> dict[str, int]:
    ids = {code: sim.seed_training(code, f"Training {code}") for code in codes}
    refs.courses.update({CourseCode(code): rid(i) for code, i in ids.items()})
    return ids


def calls(sim: DokeosSimulator, method: str, path: str) -> list[Any]:
    return [r for r in sim.requests if (r.method, r.path) == (method, path)]


def settle(
    sim: DokeosSimulator, connector: DokeosConnector, outcomes: Sequence[Outcome]
) -> list[JobState]:
    """Run the simulator's due jobs, then poll the job of every Pending outcome."""
    sim.run_jobs()
    return [connector.poll_job(o.job_id) for o in outcomes if isinstance(o, Pending)]


def done(states: Sequence[JobState]) -> bool:
    return bool(states) and all(s == JobState(JobStatus.DONE) for s in states)


class Recording(httpx.BaseTransport):
    """Passes every request on, keeping it (headers included) for the test to read."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.seen = inner, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.inner.handle_request(request)


# --- reads ---------------------------------------------------------------------------------


def seed_platform(sim: DokeosSimulator) -> set[object]:
    """Users, coded and uncoded groups with learners (and a manager), trainings and
    participations in every status; the records the connector must read back."""
    ids = {n: sim.seed_user(f"u{n}", f"u{n}@acme.com", f"F{n}", f"L{n}", f"E{n}") for n in range(5)}
    off = sim.seed_user("gone", "gone@acme.com", "G", "One", None, active=False)
    expected: set[object] = {
        RemoteUser(rid(i), f"u{n}", f"u{n}@acme.com", f"F{n}", f"L{n}", True, f"E{n}")
        for n, i in ids.items()
    }
    expected.add(RemoteUser(rid(off), "gone", "gone@acme.com", "G", "One", False, None))
    groups = [
        ("Sales", "org_unit:SAL", ORG, "SAL"),
        ("Sales EMEA", "group:sales-emea", GRP, "sales-emea"),
        ("Hand-made", None, GRP, None),
        ("Legacy", "LEGACY-7", GRP, None),
    ]
    for index, (name, code, kind, hr_code) in enumerate(groups):
        group_id = sim.seed_group(name, code)
        expected.add(RemoteGroup(rid(group_id), kind, name, hr_code))
        for n in range(index % 2, 5, 2):
            sim.add_learner(group_id, ids[n])
            expected.add(RemoteMembership(kind, rid(group_id), rid(ids[n])))
    trainings = {code: sim.seed_training(code, f"Training {code}") for code in ("T1", "T2", "T3")}
    expected |= {RemoteCourse(rid(i), code, f"Training {code}") for code, i in trainings.items()}
    statuses = {
        "not_started": EnrollmentStatus.ENROLLED,
        "in_progress": EnrollmentStatus.IN_PROGRESS,
        "completed": EnrollmentStatus.COMPLETED,
        "failed": EnrollmentStatus.FAILED,
    }
    for n, (raw, status) in enumerate(statuses.items()):
        done_at = SEEDED_AT if raw == "completed" else None
        progress = Progress(SEEDED_AT, done_at, None, raw)
        for training_id in trainings.values():
            sim.seed_participation(ids[n], training_id, raw)
            expected.add(RemoteEnrollment(rid(training_id), rid(ids[n]), status, progress))
    return expected


def test_fetch_walks_every_page_of_every_collection(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker
) -> None:
    expected = seed_platform(dokeos_sim)
    records = [r for r in make_dokeos(page_size=2).fetch() if not isinstance(r, PartRead)]
    assert len(records) == len(set(records))
    assert set(records) == expected
    pages = {
        path: sorted(int(r.query["page"][0]) for r in calls(dokeos_sim, "GET", path))
        for path in ("/users", "/groups", "/trainings", "/participations")
    }
    assert pages == {
        "/users": [1, 2, 3],
        "/groups": [1, 2],
        "/trainings": [1, 2],
        "/participations": [1, 2, 3, 4, 5, 6],
    }
    assert {r.query["per_page"] for r in dokeos_sim.requests} == {("2",)}
    asked = {r.path: r.query.get("response_attributes") for r in dokeos_sim.requests}
    assert asked == {
        "/users": None,
        "/groups": None,
        "/trainings": None,
        "/participations": ("progressions",),
    }
    assert len(dokeos_sim.requests) == 3 + 2 + 2 + 6  # progressions cost no request


def test_fetched_participations_carry_the_learners_progress(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, clock: FakeClock
) -> None:
    finisher = dokeos_sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    learner = dokeos_sim.seed_user("bob", "bob@acme.com", "Bob", "Roe")
    training = dokeos_sim.seed_training("SEC-101", "Security")
    dokeos_sim.seed_participation(finisher, training)
    dokeos_sim.seed_participation(learner, training)
    clock.advance(2 * 3600)
    dokeos_sim.set_progress(finisher, training, status="completed", score=87.5)
    dokeos_sim.set_progress(learner, training, status="in_progress", score=40)
    enrollments = [r for r in dokeos.fetch() if isinstance(r, RemoteEnrollment)]
    two_hours_later = SEEDED_AT + dt.timedelta(hours=2)
    assert enrollments == [
        RemoteEnrollment(
            rid(training),
            rid(finisher),
            EnrollmentStatus.COMPLETED,
            Progress(SEEDED_AT, two_hours_later, 87.5, "completed"),
        ),
        RemoteEnrollment(
            rid(training),
            rid(learner),
            EnrollmentStatus.IN_PROGRESS,
            Progress(SEEDED_AT, None, 40.0, "in_progress"),
        ),
    ]


def participation_item(**fields: object) -> dict[str, object]:
    return {"id": 1, "user_id": 7, "training_id": 3, **fields}


def test_progressions_fill_what_a_completed_participation_leaves_null() -> None:
    item = participation_item(
        status="completed",
        score=None,
        created_at="2024-01-02T08:00:00Z",
        completed_at=None,
        progressions=[
            {
                "module_id": 1,
                "status": "completed",
                "score": 80,
                "completed_at": "2024-02-01T10:00:00Z",
            },
            {
                "module_id": 2,
                "status": "completed",
                "score": None,
                "completed_at": "2024-02-03T10:00:00Z",
            },
            {
                "module_id": 3,
                "status": "completed",
                "score": "90",
                "completed_at": "2024-02-02T10:00:00Z",
            },
        ],
    )
    assert mapping.enrollment(item).progress == Progress(
        enrolled_at=dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC),
        completed_at=dt.datetime(2024, 2, 3, 10, tzinfo=dt.UTC),
        score=85.0,
        raw_status="completed",
    )


def test_the_participations_own_values_win_over_its_modules() -> None:
    item = participation_item(
        status="completed",
        score=70,
        completed_at="2024-03-01T09:00:00Z",
        progressions=[{"score": 10, "completed_at": "2024-01-01T00:00:00Z"}],
    )
    progress = mapping.enrollment(item).progress
    assert progress is not None
    assert (progress.score, progress.completed_at) == (
        70.0,
        dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("status", "modules"),
    [
        ("in_progress", [{"completed_at": "2024-02-01T10:00:00Z"}]),
        ("completed", [{"completed_at": "2024-02-01T10:00:00Z"}, {"completed_at": None}]),
        ("completed", []),
    ],
)
def test_no_completion_date_follows_unless_every_module_of_a_completed_one_has_one(
    status: str, modules: list[dict[str, object]]
) -> None:
    item = participation_item(status=status, completed_at=None, progressions=modules)
    progress = mapping.enrollment(item).progress
    assert progress is not None
    assert progress.completed_at is None


def test_times_become_aware_utc_and_unreadable_values_none() -> None:
    item = participation_item(
        status="Completed",
        created_at="2024-01-02T10:00:00+02:00",
        completed_at="2024-01-05T12:00:00",
        score="n/a",
    )
    assert mapping.enrollment(item) == RemoteEnrollment(
        RemoteId("3"),
        RemoteId("7"),
        EnrollmentStatus.COMPLETED,
        Progress(
            dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC),
            dt.datetime(2024, 1, 5, 12, tzinfo=dt.UTC),
            None,
            "Completed",
        ),
    )


def test_a_participation_without_dates_score_or_status_has_an_empty_progress() -> None:
    item = participation_item(created_at="yesterday", completed_at=7, score=True, progressions="x")
    assert mapping.enrollment(participation_item(score="NaN")).progress == Progress()
    enrollment = mapping.enrollment(item)
    assert enrollment.status is EnrollmentStatus.IN_PROGRESS
    assert enrollment.progress == Progress()


def test_fetch_reads_users_then_groups_with_their_learners(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector
) -> None:
    user = dokeos_sim.seed_user("ann", "ann@acme.com", "Ann", "Lee")
    manager = dokeos_sim.seed_user("max", "max@acme.com", "Max", "Roe")
    group = dokeos_sim.seed_group("Sales", "org_unit:SAL")
    dokeos_sim.add_learner(group, user)
    kinds = [type(r).__name__ for r in dokeos.fetch() if not isinstance(r, PartRead)]
    assert kinds == ["RemoteUser", "RemoteUser", "RemoteGroup", "RemoteMembership"]
    assert manager  # a manager is no learner: never a membership


def test_the_configured_page_size_is_sent(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker
) -> None:
    list(make_dokeos(page_size=100).fetch())
    assert {r.query["per_page"] for r in dokeos_sim.requests} == {("100",)}


def test_a_server_repeating_a_page_is_a_pagination_loop(make_dokeos: DokeosMaker) -> None:
    def same_page(request: httpx.Request) -> httpx.Response:
        meta = {"page": 1, "per_page": 1, "total": 3, "total_pages": 3}
        return httpx.Response(200, json={"data": [{"id": 1, "username": "a"}], "meta": meta})

    connector = make_dokeos(transport=httpx.MockTransport(same_page))
    with pytest.raises(FatalError, match="pagination loop"):
        list(connector.fetch())


def test_an_answer_without_the_list_envelope_is_fatal(make_dokeos: DokeosMaker) -> None:
    connector = make_dokeos(transport=httpx.MockTransport(lambda _: httpx.Response(200, json=[])))
    with pytest.raises(FatalError, match="no list of data"):
        list(connector.fetch())


def test_every_request_carries_the_v2_media_type_and_the_bearer_token(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, refs: Refs
) -> None:
    recording = Recording(dokeos_sim.transport())
    connector = make_dokeos(transport=recording)
    list(connector.fetch())
    connector.apply([CreateUser(person(1))], refs)
    assert len(recording.seen) == 5
    assert {r.headers["Accept"] for r in recording.seen} == {ACCEPT}
    assert {r.headers["Authorization"] for r in recording.seen} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("not_started", EnrollmentStatus.ENROLLED),
        ("in_progress", EnrollmentStatus.IN_PROGRESS),
        ("completed", EnrollmentStatus.COMPLETED),
        ("failed", EnrollmentStatus.FAILED),
        ("archived", EnrollmentStatus.IN_PROGRESS),
        (None, EnrollmentStatus.IN_PROGRESS),
    ],
)
def test_participation_statuses(raw: object, status: EnrollmentStatus) -> None:
    assert mapping.enrollment_status(raw) is status


@pytest.mark.parametrize(
    ("code", "kind", "hr_code"),
    [
        ("org_unit:SAL", ORG, "SAL"),
        ("group:sales-emea", GRP, "sales-emea"),
        ("group:a:b", GRP, "a:b"),
        ("org_unit:", GRP, None),
        ("team:x", GRP, None),
        ("SAL", GRP, None),
        (None, GRP, None),
    ],
)
def test_a_groups_code_names_its_hr_group(code: object, kind: GroupKind, hr_code: object) -> None:
    assert mapping.group_ref(code) == (kind, hr_code)


# --- users ---------------------------------------------------------------------------------


def test_create_users_one_request_each_keyed_by_employee_id(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    outcomes = dokeos.apply([CreateUser(person(1)), CreateUser(person(2, active=False))], refs)
    snap = dokeos_sim.snapshot()
    assert snap.users == {
        "p1@acme.com": ("p1@acme.com", "First1", "Last1", True, "E1"),
        "p2@acme.com": ("p2@acme.com", "First2", "Last2", False, "E2"),
    }
    users = {r.username: r.remote_id for r in dokeos.fetch() if isinstance(r, RemoteUser)}
    assert outcomes == [Applied(users["p1@acme.com"]), Applied(users["p2@acme.com"])]
    assert len(calls(dokeos_sim, "POST", "/users")) == 2


def test_update_user_by_id(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    renamed = person(1, username="ann", email="ann@acme.com", last_name="Lee")
    change = FieldChange("username", "p1", "ann")
    assert dokeos.apply([UpdateUser(renamed, (change,))], refs) == [Applied()]
    assert dokeos_sim.snapshot().users == {"ann": ("ann@acme.com", "First1", "Lee", True, None)}
    [put] = dokeos_sim.writes
    assert put.body == {
        "username": "ann",
        "email": "ann@acme.com",
        "firstname": "First1",
        "lastname": "Lee",
    }


def test_deactivate_and_reactivate(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1, 2)
    assert dokeos.apply([DeactivateUser(e(1)), DeactivateUser(e(2))], refs) == [Applied()] * 2
    assert not any(view[3] for view in dokeos_sim.snapshot().users.values())
    assert dokeos.apply([ReactivateUser(e(2))], refs) == [Applied()]
    assert dokeos_sim.snapshot().users["p2"][3] is True
    assert [(w.method, w.path, w.body) for w in dokeos_sim.writes] == [
        ("PUT", f"/users/{ids[1]}", {"active": False}),
        ("PUT", f"/users/{ids[2]}", {"active": False}),
        ("PUT", f"/users/{ids[2]}", {"active": True}),
    ]


def test_delete_user_is_a_job_polled_until_done(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs, clock: FakeClock
) -> None:
    ids = seed_people(dokeos_sim, refs, 1, 2)
    group = dokeos_sim.seed_group("Sales", "org_unit:SAL")
    dokeos_sim.add_learner(group, ids[1])
    dokeos_sim.job_duration(60)
    [outcome] = dokeos.apply([DeleteUser(e(1))], refs)
    assert isinstance(outcome, Pending)
    assert [(w.method, w.path) for w in dokeos_sim.writes] == [("DELETE", f"/user/{ids[1]}")]
    assert dokeos.poll_job(outcome.job_id) == JobState(JobStatus.PENDING)  # queued
    clock.advance(30)
    assert dokeos.poll_job(outcome.job_id) == JobState(JobStatus.PENDING)  # running
    assert "p1" in dokeos_sim.snapshot().users
    clock.advance(31)
    assert settle(dokeos_sim, dokeos, [outcome]) == [JobState(JobStatus.DONE)]
    assert set(dokeos_sim.snapshot().users) == {"p2"}
    assert dokeos_sim.snapshot().learners == frozenset()


def test_deleting_a_user_already_gone_is_done(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    refs.users[e(1)] = rid(999)
    assert dokeos.apply([DeleteUser(e(1))], refs) == [Applied()]


def test_a_missing_link_rejects_that_op_only(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    refs.users[e(3)] = RemoteId("not-a-number")
    outcomes = dokeos.apply(
        [DeactivateUser(e(2)), DeactivateUser(e(1)), DeactivateUser(e(3))], refs
    )
    assert outcomes[1] == Applied()
    assert outcomes[0] == Rejected("no user linked for E2")
    assert isinstance(outcomes[2], Rejected)
    assert "not a Dokeos id" in outcomes[2].error
    assert len(dokeos_sim.writes) == 1


def test_an_update_refused_is_rejected_with_dokeos_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    refs.users[e(2)] = rid(999)
    outcomes = dokeos.apply([DeactivateUser(e(2)), DeactivateUser(e(1))], refs)
    assert outcomes == [Rejected("User 999 not found (HTTP 404)"), Applied()]


# --- creates that adopt --------------------------------------------------------------------


def test_creating_the_same_user_twice_adopts_the_first(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    [first] = dokeos.apply([CreateUser(person(1))], refs)
    [again] = dokeos.apply([CreateUser(person(1))], refs)
    assert isinstance(first, Applied)
    assert again == first
    assert list(dokeos_sim.snapshot().users) == ["p1@acme.com"]
    assert [r.status for r in calls(dokeos_sim, "POST", "/users")] == [201, 422]
    lookups = calls(dokeos_sim, "GET", "/users")
    assert [dict(r.query).get("external_id") for r in lookups] == [("E1",)]


def test_a_create_resent_after_a_lost_answer_adopts_instead_of_duplicating(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, dokeos_lossy: Lossy, refs: Refs
) -> None:
    connector = make_dokeos(transport=dokeos_lossy("POST", "/users"))
    [outcome] = connector.apply([CreateUser(person(1))], refs)
    [user] = [r for r in connector.fetch() if isinstance(r, RemoteUser)]
    assert outcome == Applied(user.remote_id)
    assert len(calls(dokeos_sim, "POST", "/users")) == 1


def test_a_create_lost_on_the_way_stays_retriable(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, dokeos_lossy: Lossy, refs: Refs
) -> None:
    connector = make_dokeos(transport=dokeos_lossy("POST", "/users", deliver=False))
    with pytest.raises(RetriableError, match="may have reached the server"):
        connector.apply([CreateUser(person(1))], refs)
    assert dokeos_sim.snapshot().users == {}


def test_an_account_hr_did_not_know_is_adopted_by_username(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    known = dokeos_sim.seed_user("P1@acme.com", "old@acme.com", "Old", "Name")
    assert dokeos.apply([CreateUser(person(1))], refs) == [Applied(rid(known))]
    lookups = [dict(r.query) for r in calls(dokeos_sim, "GET", "/users")]
    assert [q.get("external_id") or q.get("username") for q in lookups] == [
        ("E1",),
        ("p1@acme.com",),
    ]


def test_a_taken_email_with_nothing_to_adopt_is_rejected_with_dokeos_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    dokeos_sim.seed_user("someone", "p1@acme.com", "Some", "One")
    [outcome] = dokeos.apply([CreateUser(person(1))], refs)
    assert outcome == Rejected(
        "The body breaks the rules of this call; email: has already been taken (HTTP 422)"
    )
    assert list(dokeos_sim.snapshot().users) == ["someone"]


def test_a_lookup_adopts_only_an_account_that_matches(make_dokeos: DokeosMaker, refs: Refs) -> None:
    """A filter the server ignored must not adopt whoever it listed first."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(422, json={"error": "unprocessable", "message": "taken"})
        other = {"id": 8, "username": "other", "external_id": "e1", "email": "o@acme.com"}
        meta = {"page": 1, "per_page": 100, "total": 1, "total_pages": 1}
        return httpx.Response(200, json={"data": [other], "meta": meta})

    connector = make_dokeos(transport=httpx.MockTransport(answer))
    assert connector.apply([CreateUser(person(1))], refs) == [Rejected("taken (HTTP 422)")]


# --- groups --------------------------------------------------------------------------------


def test_create_rename_and_delete_groups_by_their_code(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    made = dokeos.apply([CreateGroup(Group(SAL, "Sales", None))], refs)
    made += dokeos.apply([CreateGroup(Group(EMEA, "Sales EMEA"))], refs)
    assert dokeos_sim.snapshot().groups == {
        "org_unit:SAL": "Sales",
        "group:sales-emea": "Sales EMEA",
    }
    groups = {r.code: r for r in dokeos.fetch() if isinstance(r, RemoteGroup)}
    assert groups["SAL"].kind is ORG
    assert groups["sales-emea"].kind is GRP
    assert made == [Applied(groups["SAL"].remote_id), Applied(groups["sales-emea"].remote_id)]
    refs.groups.update({SAL: groups["SAL"].remote_id, EMEA: groups["sales-emea"].remote_id})

    assert dokeos.apply([UpdateGroup(Group(SAL, "Vente"), "Sales")], refs) == [Applied()]
    assert dokeos.apply([DeleteGroup(EMEA)], refs) == [Applied()]
    assert dokeos_sim.snapshot().groups == {"org_unit:SAL": "Vente"}
    assert dokeos.apply([DeleteGroup(EMEA)], refs) == [Applied()]  # already gone: done


def test_a_group_create_refused_for_a_taken_code_adopts_it(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, refs: Refs
) -> None:
    for n in range(3):
        dokeos_sim.seed_group(f"Other {n}", f"group:other-{n}")
    known = dokeos_sim.seed_group("Sales (old)", "org_unit:SAL")
    connector = make_dokeos(page_size=2)
    assert connector.apply([CreateGroup(Group(SAL, "Sales"))], refs) == [Applied(rid(known))]
    assert len(dokeos_sim.snapshot().groups) == 4


def test_a_group_create_whose_answer_was_lost_adopts_the_group(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, dokeos_lossy: Lossy, refs: Refs
) -> None:
    connector = make_dokeos(transport=dokeos_lossy("POST", "/groups"))
    [outcome] = connector.apply([CreateGroup(Group(EMEA, "Sales EMEA"))], refs)
    [group] = [r for r in connector.fetch() if isinstance(r, RemoteGroup)]
    assert outcome == Applied(group.remote_id)


def test_a_refused_group_create_with_nothing_to_adopt_is_rejected(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    [outcome] = dokeos.apply([CreateGroup(Group(EMEA, " "))], refs)
    assert outcome == Rejected(
        "The body breaks the rules of this call; name: must be a non-empty string (HTTP 422)"
    )
    assert dokeos_sim.snapshot().groups == {}


def test_groups_are_flat_nothing_moves(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    refs.groups[SAL] = rid(dokeos_sim.seed_group("Sales", "org_unit:SAL"))
    [outcome] = dokeos.apply([MoveGroup(Group(SAL, "Sales", GroupRef(ORG, "EU")), None)], refs)
    assert isinstance(outcome, Rejected)
    assert "flat" in outcome.error
    assert dokeos_sim.writes == []
    assert OpKind.MOVE_GROUP not in dokeos.capabilities.supports


# --- learners ------------------------------------------------------------------------------


def test_add_and_remove_learners_one_job_per_group(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1, 2, 3)
    refs.groups[SAL] = rid(dokeos_sim.seed_group("Sales", "org_unit:SAL"))
    refs.groups[EMEA] = rid(dokeos_sim.seed_group("Sales EMEA", "group:sales-emea"))
    added = dokeos.apply([AddMember(SAL, e(1)), AddMember(SAL, e(2)), AddMember(SAL, e(3))], refs)
    added += dokeos.apply([AddMember(EMEA, e(3))], refs)
    assert all(isinstance(o, Pending) for o in added)
    assert len({o.job_id for o in added if isinstance(o, Pending)}) == 2
    assert [(w.path, w.body) for w in dokeos_sim.writes] == [
        (f"/groups/{refs.groups[SAL]}", {"add_learner_ids": [ids[1], ids[2], ids[3]]}),
        (f"/groups/{refs.groups[EMEA]}", {"add_learner_ids": [ids[3]]}),
    ]
    assert done(settle(dokeos_sim, dokeos, added))
    removed = dokeos.apply([RemoveMember(SAL, e(2)), RemoveMember(SAL, e(3))], refs)
    assert done(settle(dokeos_sim, dokeos, removed))
    assert dokeos_sim.snapshot().learners == {
        ("org_unit:SAL", "p1"),
        ("group:sales-emea", "p3"),
    }


def test_one_put_carries_a_groups_additions_and_removals_of_both_roles(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    """docs/lms/dokeos.md Groups: one body may carry every membership key at once."""
    ids = seed_people(dokeos_sim, refs, 1, 2, 3, 4)
    refs.groups[SAL] = rid(dokeos_sim.seed_group("Sales", "org_unit:SAL"))
    before = dokeos.apply([AddMember(SAL, e(2)), AddMember(SAL, e(3), MemberRole.MANAGER)], refs)
    assert done(settle(dokeos_sim, dokeos, before))
    sent_before = len(dokeos_sim.writes)
    batch: list[Operation] = [
        AddMember(SAL, e(4), MemberRole.MANAGER),
        AddMember(SAL, e(1)),
        RemoveMember(SAL, e(3), MemberRole.MANAGER),
        RemoveMember(SAL, e(2)),
    ]
    outcomes = dokeos.apply(batch, refs)
    assert len({o.job_id for o in outcomes if isinstance(o, Pending)}) == 1
    assert [(w.path, w.body) for w in dokeos_sim.writes[sent_before:]] == [
        (
            f"/groups/{refs.groups[SAL]}",
            {
                "add_manager_ids": [ids[4]],
                "add_learner_ids": [ids[1]],
                "remove_manager_ids": [ids[3]],
                "remove_learner_ids": [ids[2]],
            },
        )
    ]
    assert done(settle(dokeos_sim, dokeos, outcomes))
    snapshot = dokeos_sim.snapshot()
    assert snapshot.learners == {("org_unit:SAL", "p1")}
    assert snapshot.managers == {("org_unit:SAL", "p4")}


def test_a_member_batch_of_another_shape_is_refused_unsent(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    """Removals ride only after additions to their group, never re-adding one membership."""
    seed_people(dokeos_sim, refs, 1, 2)
    refs.groups[SAL] = rid(dokeos_sim.seed_group("Sales", "org_unit:SAL"))
    refs.groups[EMEA] = rid(dokeos_sim.seed_group("Sales EMEA", "group:sales-emea"))
    refused: list[list[Operation]] = [
        [RemoveMember(SAL, e(1)), AddMember(SAL, e(2))],
        [AddMember(SAL, e(1)), RemoveMember(EMEA, e(2))],
        [AddMember(SAL, e(1)), RemoveMember(SAL, e(1))],
        [AddMember(SAL, e(1)), Enroll(e(1), CourseCode("SEC-101"))],
    ]
    for batch in refused:
        with pytest.raises(TypeError, match="one kind"):
            dokeos.apply(batch, refs)
    assert dokeos_sim.writes == []


def test_a_learner_dokeos_does_not_know_fails_the_job_in_its_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    refs.users[e(2)] = rid(999)
    refs.groups[SAL] = rid(dokeos_sim.seed_group("Sales", "org_unit:SAL"))
    outcomes = dokeos.apply([AddMember(SAL, e(1)), AddMember(SAL, e(2))], refs)
    states = settle(dokeos_sim, dokeos, outcomes)
    assert states == [JobState(JobStatus.FAILED, "Users not found: 999")] * 2
    assert dokeos_sim.snapshot().learners == frozenset()


def test_a_group_dokeos_does_not_know_rejects_its_ops_with_dokeos_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1, 2)
    refs.groups[SAL] = rid(999)
    outcomes = dokeos.apply(
        [AddMember(SAL, e(1)), AddMember(SAL, e(2)), AddMember(EMEA, e(1))], refs
    )
    assert outcomes[:2] == [Rejected("Group 999 not found (HTTP 404)")] * 2
    assert outcomes[2] == Rejected("no group linked for group:sales-emea")


# --- participations ------------------------------------------------------------------------


def test_enroll_one_job_each_then_the_participations_exist(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1, 2)
    courses = seed_courses(dokeos_sim, refs, "SEC-101")
    outcomes = dokeos.apply(
        [Enroll(e(1), CourseCode("SEC-101")), Enroll(e(2), CourseCode("SEC-101"))], refs
    )
    assert len({o.job_id for o in outcomes if isinstance(o, Pending)}) == 2
    assert [w.body for w in dokeos_sim.writes] == [
        {"user_id": ids[1], "training_id": courses["SEC-101"]},
        {"user_id": ids[2], "training_id": courses["SEC-101"]},
    ]
    assert done(settle(dokeos_sim, dokeos, outcomes))
    assert dokeos_sim.snapshot().participations == {("SEC-101", "p1"), ("SEC-101", "p2")}


def test_an_unknown_course_rejects_only_that_enrollment(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1, 2)
    seed_courses(dokeos_sim, refs, "SEC-101")
    batch: list[Operation] = [
        Enroll(e(1), CourseCode("SEC-101")),
        Enroll(e(1), CourseCode("NOPE")),
        Enroll(e(2), CourseCode("SEC-101")),
    ]
    outcomes = dokeos.apply(batch, refs)
    assert outcomes[1] == Rejected("no course linked for NOPE")
    assert isinstance(outcomes[0], Pending)
    assert isinstance(outcomes[2], Pending)
    assert done(settle(dokeos_sim, dokeos, outcomes))
    assert dokeos_sim.snapshot().participations == {("SEC-101", "p1"), ("SEC-101", "p2")}


def test_a_training_dokeos_does_not_know_fails_its_job(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    refs.courses[CourseCode("GONE")] = rid(77)
    outcomes = dokeos.apply([Enroll(e(1), CourseCode("GONE"))], refs)
    assert settle(dokeos_sim, dokeos, outcomes) == [
        JobState(JobStatus.FAILED, "Training 77 not found")
    ]


def test_the_targets_course_table_wins_over_the_links(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1)
    training = dokeos_sim.seed_training("SEC-101", "Security")
    refs.courses[CourseCode("SEC-101")] = rid(999)
    connector = make_dokeos(courses={"SEC-101": str(training)})
    connector.apply([Enroll(e(1), CourseCode("SEC-101"))], refs)
    assert [w.body for w in dokeos_sim.writes] == [{"user_id": ids[1], "training_id": training}]


def test_unenroll_reads_participations_within_five_ids_per_filter(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, *range(1, 8))
    courses = seed_courses(dokeos_sim, refs, "T1", "T2", "T3")
    wanted = {"T1": range(1, 5), "T2": range(3, 8), "T3": range(5, 8)}
    pairs = [(n, code) for code, users in wanted.items() for n in users]
    assert (len(pairs), len({n for n, _ in pairs})) == (12, 7)
    for n, code in [*pairs, (1, "T3"), (7, "T1")]:  # two more, to be left alone
        dokeos_sim.seed_participation(ids[n], courses[code])
    connector = make_dokeos(page_size=100)
    outcomes = connector.apply([Unenroll(e(n), CourseCode(code)) for n, code in pairs], refs)
    reads = calls(dokeos_sim, "GET", "/participations")
    # The 3 trainings fit one filter, the 7 users need two: ceil(7 / 5) * ceil(3 / 5) reads.
    assert len(reads) == 2
    for read in reads:
        for name in ("user_ids", "training_ids"):
            assert 1 <= len(read.query[name][0].split(",")) <= FILTER_LIMIT
    assert [r.status for r in reads] == [200, 200]
    assert [w.method for w in dokeos_sim.writes] == ["DELETE"] * 12
    assert all(isinstance(o, Pending) for o in outcomes)
    assert done(settle(dokeos_sim, connector, outcomes))
    assert dokeos_sim.snapshot().participations == {("T3", "p1"), ("T1", "p7")}


def test_unenroll_from_more_than_five_trainings_splits_the_training_filter(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1)
    courses = seed_courses(dokeos_sim, refs, *(f"T{n}" for n in range(1, 8)))
    for training in courses.values():
        dokeos_sim.seed_participation(ids[1], training)
    outcomes = dokeos.apply([Unenroll(e(1), CourseCode(code)) for code in courses], refs)
    reads = calls(dokeos_sim, "GET", "/participations")
    assert [len(r.query["training_ids"][0].split(",")) for r in reads] == [5, 2]
    assert done(settle(dokeos_sim, dokeos, outcomes))
    assert dokeos_sim.snapshot().participations == frozenset()


def test_unenrolling_what_is_not_there_is_done(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    ids = seed_people(dokeos_sim, refs, 1, 2)
    courses = seed_courses(dokeos_sim, refs, "T1")
    dokeos_sim.seed_participation(ids[2], courses["T1"])
    outcomes = dokeos.apply(
        [Unenroll(e(1), CourseCode("T1")), Unenroll(e(2), CourseCode("T1"))], refs
    )
    assert outcomes[0] == Applied()
    assert isinstance(outcomes[1], Pending)
    assert len(calls(dokeos_sim, "GET", "/participations")) == 1


def test_a_refused_participation_read_rejects_the_batch_with_dokeos_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    seed_courses(dokeos_sim, refs, "T1")
    dokeos_sim.fail_next(1, 400, path_prefix="/participations")
    outcomes = dokeos.apply([Unenroll(e(1), CourseCode("T1"))], refs)
    assert len(outcomes) == 1
    assert isinstance(outcomes[0], Rejected)
    assert "(HTTP 400)" in outcomes[0].error


@pytest.mark.parametrize(
    ("users", "trainings", "expected"),
    [(7, 3, 2), (5, 5, 1), (6, 6, 4), (1, 11, 3), (12, 1, 3)],
)
def test_filters_cover_every_pair_within_the_limit(
    users: int, trainings: int, expected: int
) -> None:
    pairs = {(rid(u), rid(100 + t)) for u in range(users) for t in range(trainings)}
    found = filters(pairs)
    assert len(found) == expected
    assert all(len(f.user_ids) <= 5 and len(f.training_ids) <= 5 for f in found)
    covered = {(u, t) for f in found for u in f.user_ids for t in f.training_ids}
    assert pairs <= covered


def test_filters_ask_only_for_the_users_of_their_trainings() -> None:
    pairs = [(rid(1), rid(10)), (rid(2), rid(10)), (rid(3), rid(20))]
    assert filters(pairs, limit=1) == [
        Filter((rid(1),), (rid(10),)),
        Filter((rid(2),), (rid(10),)),
        Filter((rid(3),), (rid(20),)),
    ]
    assert Filter((rid(1), rid(2)), (rid(3),)).params() == {"user_ids": "1,2", "training_ids": "3"}


# --- jobs ----------------------------------------------------------------------------------


def test_a_failing_job_polls_failed_with_the_simulators_words(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    seed_people(dokeos_sim, refs, 1)
    dokeos_sim.fail_next_jobs(1, "Deletion refused: the user owns a training")
    [outcome] = dokeos.apply([DeleteUser(e(1))], refs)
    assert settle(dokeos_sim, dokeos, [outcome]) == [
        JobState(JobStatus.FAILED, "Deletion refused: the user owns a training")
    ]
    assert "p1" in dokeos_sim.snapshot().users


def test_an_expired_job_polls_gone(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs, clock: FakeClock
) -> None:
    seed_people(dokeos_sim, refs, 1)
    [outcome] = dokeos.apply([DeleteUser(e(1))], refs)
    assert isinstance(outcome, Pending)
    clock.advance(WEEK)
    assert dokeos.poll_job(outcome.job_id) == JobState(JobStatus.DONE)
    clock.advance(1)
    assert dokeos.poll_job(outcome.job_id) == JobState(JobStatus.GONE)
    assert dokeos.poll_job("no-such-job") == JobState(JobStatus.GONE)


def test_job_answers_map_to_job_states() -> None:
    assert mapping.job_state({"status": "queued"}) == JobState(JobStatus.PENDING)
    assert mapping.job_state({"status": "running"}) == JobState(JobStatus.PENDING)
    assert mapping.job_state({"status": "paused"}) == JobState(JobStatus.PENDING)
    assert mapping.job_state({"status": "done", "error": None}) == JobState(JobStatus.DONE)
    failed = mapping.job_state({"status": "failed", "error": None})
    assert failed == JobState(JobStatus.FAILED, "the Dokeos job failed")


def test_a_job_id_is_polled_in_one_path_segment(make_dokeos: DokeosMaker) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"job_id": "a/b", "status": "done"})

    connector = make_dokeos(transport=httpx.MockTransport(answer))
    assert connector.poll_job("a/b") == JobState(JobStatus.DONE)
    assert seen == ["/jobs/a%2Fb"]


# --- the engine's view ---------------------------------------------------------------------


def test_capabilities(make_dokeos: DokeosMaker) -> None:
    caps = make_dokeos(batch_size=40).capabilities
    assert caps.natural_keys == ("external_id", "username", "email")
    assert caps.groups_have_codes is True
    assert caps.supports == frozenset(OpKind) - {OpKind.MOVE_GROUP}
    assert caps.job_lifetime == dt.timedelta(days=7)
    assert caps.edits_group_members is True  # one PUT /groups/:id per group and batch
    batched = {kind for kind in OpKind if caps.batch_size(kind) == 40}
    assert batched == {
        OpKind.CREATE_USER,
        OpKind.UPDATE_USER,
        OpKind.DEACTIVATE_USER,
        OpKind.REACTIVATE_USER,
        OpKind.DELETE_USER,
        OpKind.ADD_MEMBER,
        OpKind.REMOVE_MEMBER,
        OpKind.ENROLL,
        OpKind.UNENROLL,
    }
    assert all(caps.batch_size(k) == 1 for k in (OpKind.CREATE_GROUP, OpKind.DELETE_GROUP))


def test_the_registry_builds_dokeos(clock: FakeClock, dokeos_sim: DokeosSimulator) -> None:
    target = DokeosTarget(name="d", base_url="https://acme.dokeos.com", api_token=TOKEN)
    connector = build_connector(target, ConnectorContext(clock, dokeos_sim.transport()))
    assert isinstance(connector, DokeosConnector)
    assert isinstance(connector, PollsJobs)
    connector.close()
    docebo = DoceboTarget(
        name="d",
        base_url="https://x.docebosaas.com",
        client_id="a",
        client_secret="b",
        username="c",
        password="d",
    )
    with pytest.raises(ConfigError, match="not dokeos"):
        lookup("dokeos").connector(docebo, ConnectorContext(clock))


def test_adopt_is_never_sent(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    adopt = Adopt(UserKey(EmployeeId("E1")), rid(5))
    assert dokeos.apply([adopt], refs) == [Applied(rid(5))]
    assert dokeos.apply([], refs) == []
    assert dokeos_sim.requests == []


def test_a_batch_mixing_kinds_is_a_programming_error(dokeos: DokeosConnector, refs: Refs) -> None:
    with pytest.raises(TypeError, match="mixes"):
        dokeos.apply([DeactivateUser(e(1)), ReactivateUser(e(1))], refs)


# --- access and faults ---------------------------------------------------------------------


def test_check_is_one_authenticated_read(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector
) -> None:
    dokeos.check()
    [read] = dokeos_sim.requests
    assert (read.method, read.path, read.status) == ("GET", "/users", 200)
    assert read.query["per_page"] == ("1",)


def test_a_wrong_token_is_fatal_at_once(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker
) -> None:
    connector = make_dokeos(api_token="wrong-token-123")
    with pytest.raises(FatalError, match="HTTP 401: The bearer token is not valid"):
        connector.check()
    with pytest.raises(FatalError, match="HTTP 401"):
        list(connector.fetch())
    assert [r.status for r in dokeos_sim.requests] == [401, 401]


@pytest.mark.parametrize("status", [406, 410])
def test_a_refused_media_type_is_fatal(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs, status: int
) -> None:
    dokeos_sim.fail_next(1, status)
    with pytest.raises(FatalError, match=f"HTTP {status}"):
        dokeos.apply([CreateUser(person(1))], refs)
    assert len(dokeos_sim.requests) == 1


class OldAccept(httpx.BaseTransport):
    """Sends every request as an API V1 client would."""

    def __init__(self, inner: httpx.BaseTransport, accept: str) -> None:
        self.inner, self.accept = inner, accept

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept"] = self.accept
        return self.inner.handle_request(request)


@pytest.mark.parametrize(
    ("accept", "words"),
    [
        ("application/vnd.dokeos+json;version=1", "HTTP 410: API V1 was withdrawn on 2024-09-30"),
        ("application/json", "HTTP 406: This API only serves"),
    ],
)
def test_dokeos_words_on_a_refused_version_reach_the_error(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, accept: str, words: str
) -> None:
    connector = make_dokeos(transport=OldAccept(dokeos_sim.transport(), accept))
    with pytest.raises(FatalError, match=words):
        connector.check()


def test_429_and_503_are_retried_to_success(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs, clock: FakeClock
) -> None:
    seed_platform(dokeos_sim)
    dokeos_sim.fail_next(1, 429, retry_after=7)
    dokeos_sim.fail_next(1, 503)
    assert len(list(dokeos.fetch())) > 20
    assert clock.slept[0] == 7
    dokeos_sim.fail_next(2, 502)
    assert isinstance(dokeos.apply([CreateUser(person(9))], refs)[0], Applied)
    assert [r.status for r in calls(dokeos_sim, "POST", "/users")] == [502, 502, 201]


def test_a_lasting_outage_is_retriable(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker
) -> None:
    dokeos_sim.fail_next(10, 503)
    with pytest.raises(RetriableError, match="gave up after 3 attempts"):
        make_dokeos(max_attempts=3).check()


def test_never_two_calls_at_once(
    dokeos_sim: DokeosSimulator, dokeos: DokeosConnector, refs: Refs
) -> None:
    run_everything(dokeos_sim, dokeos, refs)
    assert dokeos_sim.violations == []


def run_everything(sim: DokeosSimulator, connector: DokeosConnector, refs: Refs) -> None:
    """Every operation kind once, its jobs settled."""
    seed_courses(sim, refs, "SEC-101")
    [made] = connector.apply([CreateUser(person(1))], refs)
    assert isinstance(made, Applied)
    assert made.remote_id is not None
    refs.users[e(1)] = made.remote_id
    [group] = connector.apply([CreateGroup(Group(SAL, "Sales"))], refs)
    assert isinstance(group, Applied)
    assert group.remote_id is not None
    refs.groups[SAL] = group.remote_id
    batches: list[list[Operation]] = [
        [UpdateUser(person(1, last_name="Lee"), (FieldChange("last_name", "Last1", "Lee"),))],
        [UpdateGroup(Group(SAL, "Vente"), "Sales")],
        [AddMember(SAL, e(1))],
        [Enroll(e(1), CourseCode("SEC-101"))],
        [Unenroll(e(1), CourseCode("SEC-101"))],
        [RemoveMember(SAL, e(1))],
        [DeactivateUser(e(1))],
        [ReactivateUser(e(1))],
        [DeleteGroup(SAL)],
        [DeleteUser(e(1))],
    ]
    for batch in batches:
        outcomes = connector.apply(batch, refs)
        assert not any(isinstance(o, Rejected) for o in outcomes), (batch, outcomes)
        assert all(s.status is JobStatus.DONE for s in settle(sim, connector, outcomes))
    assert sim.snapshot().users == {}


def test_the_token_is_in_no_log_line_or_error(
    dokeos_sim: DokeosSimulator, make_dokeos: DokeosMaker, refs: Refs
) -> None:
    errors: list[str] = []
    with capture_logs() as logs:
        connector = make_dokeos()
        run_everything(dokeos_sim, connector, refs)
        list(connector.fetch())
        dokeos_sim.fail_next(2, 503)
        connector.check()
        for status in (401, 406, 410, 403):
            dokeos_sim.fail_next(1, status, body={"error": "x", "message": f"bad {TOKEN}"})
            try:
                connector.check()
            except FatalError as err:
                errors.append(str(err))
        broken = make_dokeos(api_token="wrong-token-123")
        try:
            broken.check()
        except FatalError as err:
            errors.append(str(err))
    assert len(errors) == 5
    assert len(logs) > 20
    texts = [json.dumps(entry, default=str) for entry in logs] + errors
    leaks = [(s, t) for s in (TOKEN, "wrong-token-123") for t in texts if s in t]
    assert leaks == []
