"""The Litmos connector against the Litmos simulator: reads, every write, adoption on 409,
the api key kept out of logs and errors, and the rolling rate limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from syncd.clock import FakeClock
from syncd.connectors.base import ConnectorContext, Linked
from syncd.connectors.litmos import LitmosConnector, factory, mapping
from syncd.errors import FatalError
from syncd.kinds import lookup
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    OpKind,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateUser,
)
from syncd.records import (
    CourseCode,
    EmployeeId,
    EnrollmentStatus,
    Group,
    GroupKind,
    GroupRef,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)
from syncd.sandbox.litmos import LitmosSimulator
from tests.lms_fixtures import LITMOS_KEY, LosingTransport, Refs

LitmosMaker = Callable[..., LitmosConnector]
Lossy = Callable[..., LosingTransport]

SALES = GroupRef(GroupKind.ORG_UNIT, "SAL")
EMEA = GroupRef(GroupKind.ORG_UNIT, "EMEA")
MENTORS = GroupRef(GroupKind.GROUP, "mentors")


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


def applied_id(outcome: object) -> RemoteId:
    assert isinstance(outcome, Applied), outcome
    assert outcome.remote_id is not None
    return outcome.remote_id


# --- registry and capabilities -------------------------------------------------------------


def test_litmos_is_registered_and_declares_what_it_can_do(litmos: LitmosConnector) -> None:
    assert lookup("litmos").connector is factory
    caps = litmos.capabilities
    assert caps.natural_keys == ("username", "email")
    assert {OpKind.UPDATE_GROUP, OpKind.MOVE_GROUP, OpKind.DELETE_GROUP}.isdisjoint(caps.supports)
    assert OpKind.CREATE_GROUP in caps.supports
    assert caps.batch_size(OpKind.ADD_MEMBER) > 1


# --- reads ---------------------------------------------------------------------------------


def test_fetch_walks_every_page_of_every_collection(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock
) -> None:
    users = [litmos_sim.seed_user(f"u{n}", f"F{n}", f"L{n}", f"u{n}@x.com") for n in range(7)]
    teams = [litmos_sim.seed_team(f"Team {n}") for n in range(3)]
    sub = litmos_sim.seed_team("Sub", parent_id=teams[0])
    courses = [litmos_sim.seed_course(f"C{n}", f"Course {n}") for n in range(5)]
    for user_id in users:
        litmos_sim.add_team_member(sub, user_id)
        litmos_sim.assign_course(user_id, courses[0])
    litmos_sim.complete_course(users[0], courses[1])
    connector = make_litmos(page_size=2)
    records = list(connector.fetch())
    assert {r.remote_id for r in records if isinstance(r, RemoteUser)} == set(users)
    groups = [r for r in records if isinstance(r, RemoteGroup)]
    assert {g.remote_id for g in groups} == {*teams, sub}
    assert next(g for g in groups if g.remote_id == sub).parent_remote_id == teams[0]
    members = [r for r in records if isinstance(r, RemoteMembership)]
    assert {(m.group_remote_id, m.user_remote_id) for m in members} == {(sub, u) for u in users}
    assert {r.code for r in records if isinstance(r, RemoteCourse)} == {f"C{n}" for n in range(5)}
    enrollments = [r for r in records if isinstance(r, RemoteEnrollment)]
    assert len(enrollments) == 8
    done = [x for x in enrollments if x.status is EnrollmentStatus.COMPLETED]
    finished = Progress(completed_at=clock.now(), raw_status="Complete")
    wanted = RemoteEnrollment(
        RemoteId(courses[1]), RemoteId(users[0]), EnrollmentStatus.COMPLETED, finished
    )
    assert done == [wanted]
    assert {x.progress for x in enrollments if x is not done[0]} == {Progress(raw_status="0%")}
    assert _starts(litmos_sim, "/v1.svc/users") == [0, 2, 4, 6]  # 7 users: a short page ends
    assert _starts(litmos_sim, "/v1.svc/teams") == [0, 2, 4]  # 4 teams: a full page asks on


def test_a_linked_team_is_not_read_for_its_description(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector
) -> None:
    """A team the engine links is yielded as its linked HR group, with its list name and
    parent, without `GET /teams/{id}`; an unlinked one is read (it may be adopted)."""
    sales = litmos_sim.seed_team("Sales", description="org_unit:SAL")
    emea = litmos_sim.seed_team("Sales EMEA", sales, description="org_unit:EMEA")
    loose = litmos_sim.seed_team("Mentors", description="group:mentors")
    linked = Linked({RemoteId(sales): SALES, RemoteId(emea): EMEA})
    groups = {r.remote_id: r for r in litmos.fetch(linked) if isinstance(r, RemoteGroup)}
    assert groups[RemoteId(emea)] == RemoteGroup(
        RemoteId(emea), GroupKind.ORG_UNIT, "Sales EMEA", "EMEA", RemoteId(sales)
    )
    assert groups[RemoteId(sales)] == RemoteGroup(
        RemoteId(sales), GroupKind.ORG_UNIT, "Sales", "SAL"
    )
    assert groups[RemoteId(loose)] == RemoteGroup(
        RemoteId(loose), GroupKind.GROUP, "Mentors", "mentors"
    )
    read = [r.path for r in litmos_sim.requests if r.path.count("/") == 3 and "/teams/" in r.path]
    assert read == [f"/v1.svc/teams/{loose}"]


def _starts(sim: LitmosSimulator, path: str) -> list[int]:
    return [int(r.query["start"][0]) for r in sim.requests if r.path == path]


def test_every_call_carries_source_and_format_and_the_key_in_a_header(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector
) -> None:
    litmos.check()
    list(litmos.fetch())
    assert litmos_sim.requests
    for request in litmos_sim.requests:
        assert request.query.get("source") == ("syncd-tests",)
        assert request.query.get("format") == ("json",)
        assert "apikey" not in request.query


def test_team_descriptions_say_which_hr_group_a_team_is() -> None:
    assert mapping.group_ref("org_unit:SAL") == (GroupKind.ORG_UNIT, "SAL")
    assert mapping.group_ref("group:mentors") == (GroupKind.GROUP, "mentors")
    assert mapping.group_ref("") == (GroupKind.GROUP, None)
    assert mapping.enrollment_status(False, "0") is EnrollmentStatus.ENROLLED
    assert mapping.enrollment_status(False, "40") is EnrollmentStatus.IN_PROGRESS
    assert mapping.enrollment_status(None, "?") is EnrollmentStatus.IN_PROGRESS


# --- writes --------------------------------------------------------------------------------


def test_every_operation_round_trips(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    course = litmos_sim.seed_course("SAFETY", "Safety")
    refs.courses[CourseCode("SAFETY")] = RemoteId(course)
    created = litmos.apply([CreateUser(person(1)), CreateUser(person(2))], refs)
    refs.users.update({e(1): applied_id(created[0]), e(2): applied_id(created[1])})
    top = litmos.apply([CreateGroup(Group(SALES, "Sales"))], refs)
    refs.groups[SALES] = applied_id(top[0])
    child = litmos.apply([CreateGroup(Group(EMEA, "Sales EMEA", SALES))], refs)
    refs.groups[EMEA] = applied_id(child[0])
    flat = litmos.apply([CreateGroup(Group(MENTORS, "Mentors"))], refs)
    refs.groups[MENTORS] = applied_id(flat[0])
    added = litmos.apply([AddMember(EMEA, e(1)), AddMember(EMEA, e(2))], refs)
    assert added == [Applied(), Applied()]
    assert litmos.apply([RemoveMember(EMEA, e(2))], refs) == [Applied()]
    assert litmos.apply([Enroll(e(1), CourseCode("SAFETY"))], refs) == [Applied()]
    assert litmos.apply([Enroll(e(2), CourseCode("SAFETY"))], refs) == [Applied()]
    assert litmos.apply([Unenroll(e(2), CourseCode("SAFETY"))], refs) == [Applied()]
    renamed = person(1, first_name="Ann", email="ann@acme.com")
    assert litmos.apply([UpdateUser(renamed, ())], refs) == [Applied()]
    assert litmos.apply([DeactivateUser(e(2))], refs) == [Applied()]
    snap = litmos_sim.snapshot()
    assert snap.users == (
        ("p1@acme.com", "Ann", "Last1", "ann@acme.com", True),
        ("p2@acme.com", "First2", "Last2", "p2@acme.com", False),
    )
    assert snap.teams == (("Mentors", None), ("Sales", None), ("Sales EMEA", "Sales"))
    assert snap.members == (("Sales EMEA", "p1@acme.com"),)
    assert snap.assignments == (("p1@acme.com", "SAFETY", False, None),)
    assert litmos.apply([ReactivateUser(e(2))], refs) == [Applied()]
    groups = {r.name: r for r in litmos.fetch() if isinstance(r, RemoteGroup)}
    assert (groups["Sales EMEA"].kind, groups["Sales EMEA"].code) == (GroupKind.ORG_UNIT, "EMEA")
    assert (groups["Mentors"].kind, groups["Mentors"].code) == (GroupKind.GROUP, "mentors")
    assert litmos.apply([DeleteUser(e(2))], refs) == [Applied()]
    assert [u[0] for u in litmos_sim.snapshot().users] == ["p1@acme.com"]


def test_unknown_ids_and_team_edits_are_rejected(litmos: LitmosConnector, refs: Refs) -> None:
    refs.users[e(9)] = RemoteId("-nosuchuser-")
    [outcome] = litmos.apply([DeactivateUser(e(9))], refs)
    assert isinstance(outcome, Rejected)
    assert "404" in outcome.error
    [missing] = litmos.apply([DeleteUser(e(8))], refs)
    assert isinstance(missing, Rejected)
    [edit] = litmos.apply([DeleteGroup(SALES)], refs)
    assert isinstance(edit, Rejected)


def test_a_create_refused_as_taken_adopts_the_existing_user(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    existing = litmos_sim.seed_user("P1@acme.com", "F", "L", "p1@acme.com")
    litmos_sim.seed_user("p1@acme.com.old", "F", "L", "old@acme.com")
    assert litmos.apply([CreateUser(person(1))], refs) == [Applied(RemoteId(existing))]
    assert len(litmos_sim.snapshot().users) == 2
    assert [r.status for r in litmos_sim.requests if r.method == "POST"] == [409]


def test_a_team_create_refused_as_taken_adopts_the_team(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    existing = litmos_sim.seed_team("Sales")
    outcomes = litmos.apply([CreateGroup(Group(SALES, "Sales"))], refs)
    assert outcomes == [Applied(RemoteId(existing))]


def test_a_create_whose_answer_was_lost_adopts_the_user_it_made(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, litmos_lossy: Lossy, refs: Refs
) -> None:
    connector = make_litmos(transport=litmos_lossy("POST", "/v1.svc/users"))
    [outcome] = connector.apply([CreateUser(person(1))], refs)
    [user] = [r for r in connector.fetch() if isinstance(r, RemoteUser)]
    assert outcome == Applied(user.remote_id)
    assert len(litmos_sim.snapshot().users) == 1


# --- auth and secrets ----------------------------------------------------------------------


@pytest.mark.parametrize("apikey_in", ["header", "query"])
def test_the_key_is_in_no_log_line_or_error(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs, apikey_in: str
) -> None:
    errors: list[str] = []
    with capture_logs() as logs:
        connector = make_litmos(apikey_in=apikey_in)
        litmos_sim.seed_course("SAFETY", "Safety")
        refs.users[e(1)] = applied_id(connector.apply([CreateUser(person(1))], refs)[0])
        connector.apply([CreateUser(person(1))], refs)
        list(connector.fetch())
        litmos_sim.fail_next(1, 500)
        connector.check()
        for status in (401, 403):
            litmos_sim.fail_next(1, status, body={"Detail": f"bad {LITMOS_KEY}"})
            with pytest.raises(FatalError) as err:
                connector.check()
            errors.append(str(err.value))
        broken = make_litmos(apikey_in=apikey_in, api_key="wrong-key-123")
        with pytest.raises(FatalError) as err:
            broken.check()
        errors.append(str(err.value))
    if apikey_in == "query":
        assert all(r.query.get("apikey") == (LITMOS_KEY,) for r in litmos_sim.requests[:3])
    assert len(logs) > 5
    texts = [json.dumps(entry, default=str) for entry in logs] + errors
    leaks = [(s, t) for s in (LITMOS_KEY, "wrong-key-123") for t in texts if s in t]
    assert leaks == []


# --- rate limit ----------------------------------------------------------------------------


def test_500_creates_at_100_a_minute_meet_no_503_and_send_the_minimum(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs, clock: FakeClock
) -> None:
    ops = [CreateUser(person(n)) for n in range(500)]
    outcomes = make_litmos(bulk_import_threshold=0).apply(ops, refs)  # imports off
    assert all(isinstance(o, Applied) for o in outcomes)
    sent = len(litmos_sim.requests)
    refused = [r for r in litmos_sim.requests if r.status == 503]
    minimum = len(ops)  # Litmos creates one user per POST /users
    assert (len(refused), sent) == (0, minimum), f"sent {sent}, minimum {minimum}"
    assert sum(clock.slept) >= 4 * 60  # five windows' worth of requests


def test_a_forced_503_is_waited_out_not_hammered(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    litmos.check()
    clock.advance(20)
    body = {"Detail": "The API rating limit has been exceeded"}
    litmos_sim.fail_next(1, 503, body=body)
    litmos.check()
    assert [r.status for r in litmos_sim.requests] == [200, 503, 200]
    assert clock.slept == [40.0]  # until the first call (20 s ago) is a minute old


def test_the_factory_refuses_another_kind(clock: FakeClock) -> None:
    from syncd.connectors.dokeos.settings import DokeosTarget  # noqa: PLC0415 - only this test needs it

    other = DokeosTarget(name="d", base_url="https://x.com", api_token="t")
    with pytest.raises(Exception, match="not litmos"):
        factory(other, ConnectorContext(clock=clock))
