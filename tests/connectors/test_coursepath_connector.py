"""The Coursepath connector against the Coursepath simulator: fetch walks every page into
records (each enrollment with the learner's progress, from its one coursemember read),
each operation kind lands in the simulator's state, every request carries a
fresh single-use JWT (a stale clock is fatal), nothing is unenrolled without the opt-in,
a create retried after a lost answer adopts instead of duplicating, invitations go out
only when configured, and the secret reaches no log line or error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from structlog.testing import capture_logs

from syncd.clock import FakeClock
from syncd.connectors.base import ConnectorContext
from syncd.connectors.coursepath import CoursepathConnector, factory, mapping
from syncd.connectors.coursepath.client import JwtMinter, check_scheme
from syncd.connectors.dokeos.settings import DokeosTarget
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
    Enroll,
    FieldChange,
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
from syncd.sandbox.coursepath import CoursepathSimulator
from tests.lms_fixtures import COURSEPATH_SECRET as SECRET
from tests.lms_fixtures import LosingTransport, Refs

MEMBERS = "/api/v1/members"
CoursepathMaker = Callable[..., CoursepathConnector]
SALES = GroupRef(GroupKind.GROUP, "sales")
EU = GroupRef(GroupKind.ORG_UNIT, "EU")


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


def rid(n: int) -> RemoteId:
    return RemoteId(str(n))


# --- reads ---------------------------------------------------------------------------------


def test_fetch_walks_every_page_of_every_collection(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator
) -> None:
    for n in range(2, 8):
        coursepath_sim.seed_member(f"p{n}@acme.com", f"First{n} Last{n}", externalId=f"E{n}")
    for n in range(2, 7):
        coursepath_sim.add_to_group(n, "Sales")
    coursepath_sim.add_to_group(7, "Berlin")
    course_ids = [coursepath_sim.seed_course(f"C{n}", f"Course {n}") for n in range(3)]
    for member in range(2, 7):
        coursepath_sim.enroll(course_ids[0], member)

    records = list(make_coursepath(page_size=2).fetch())

    users = [r for r in records if isinstance(r, RemoteUser)]
    assert len(users) == 7
    assert RemoteUser(rid(2), "p2@acme.com", "p2@acme.com", "First2", "Last2", True, "E2") in users
    groups = {(g.kind, g.name) for g in records if isinstance(g, RemoteGroup)}
    assert groups == {(k, n) for k in GroupKind for n in ("Sales", "Berlin")}
    memberships = [m for m in records if isinstance(m, RemoteMembership)]
    assert len(memberships) == 2 * 6
    assert len([c for c in records if isinstance(c, RemoteCourse)]) == 3
    assert len([x for x in records if isinstance(x, RemoteEnrollment)]) == 5
    lists = [r for r in coursepath_sim.requests if not r.path.endswith("/coursemember")]
    assert {r.query.get("limit") for r in lists} == {("2",)}


def test_results_become_statuses(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    for n in range(2, 6):
        coursepath_sim.enroll(course, coursepath_sim.seed_member(f"p{n}@acme.com"))
    coursepath_sim.set_result(course, 3, score=40)
    coursepath_sim.set_result(course, 4, success=True, completed="2024-05-01T10:00:00Z")
    coursepath_sim.set_result(course, 5, success=False, completed="2024-05-01T10:00:00Z")

    found = {
        x.user_remote_id: x.status for x in coursepath.fetch() if isinstance(x, RemoteEnrollment)
    }

    assert found == {
        rid(2): EnrollmentStatus.ENROLLED,
        rid(3): EnrollmentStatus.IN_PROGRESS,
        rid(4): EnrollmentStatus.COMPLETED,
        rid(5): EnrollmentStatus.FAILED,
    }


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=dt.UTC)


def test_enrollments_carry_the_learners_progress(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, clock: FakeClock
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    for n in range(2, 5):
        coursepath_sim.enroll(course, coursepath_sim.seed_member(f"p{n}@acme.com"))
        clock.advance(3600)
    coursepath_sim.set_result(course, 3, score=87.5, success=True, completed="2026-01-20T10:00:00Z")
    coursepath_sim.set_result(course, 3, enrolled="2026-01-02T08:00:00Z")
    coursepath_sim.set_result(course, 4, score=20, success=False, completed="2026-01-21T11:30:00Z")

    found = {
        x.user_remote_id: (x.status, x.progress)
        for x in coursepath.fetch()
        if isinstance(x, RemoteEnrollment)
    }

    assert found == {
        rid(2): (EnrollmentStatus.ENROLLED, Progress(utc(5, 9), None, None, "")),
        rid(3): (
            EnrollmentStatus.COMPLETED,
            Progress(utc(2, 8), utc(20, 10), 87.5, "success=true"),
        ),
        rid(4): (
            EnrollmentStatus.FAILED,
            Progress(utc(5, 11), utc(21, 11, 30), 20.0, "success=false"),
        ),
    }


def test_progress_costs_no_request_beyond_the_coursemember_read(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    for n in range(2, 5):
        coursepath_sim.enroll(course, coursepath_sim.seed_member(f"p{n}@acme.com"))
    coursepath_sim.set_result(course, 3, score=87.5, success=True, completed="2026-01-20T10:00:00Z")

    list(coursepath.fetch())

    assert [r.path for r in coursepath_sim.requests] == [
        "/api/v1/members",
        "/api/v1/groups",
        "/api/v1/courses",
        f"/api/v1/courses/{course}/members",
        *(f"/api/v1/courses/{course}/members/{m}/coursemember" for m in range(2, 5)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-20T10:00:00Z", utc(20, 10)),
        ("2026-01-20T12:00:00+02:00", utc(20, 10)),
        ("2026-01-20T10:00:00", utc(20, 10)),
        ("2026-01-20", utc(20, 0)),
        ("20 January 2026", None),
        ("", None),
        (None, None),
        (1768903200, None),
    ],
)
def test_coursepath_dates_become_aware_utc(text: object, expected: dt.datetime | None) -> None:
    assert mapping.utc_time(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(87.5, 87.5), (90, 90.0), ("75.5", 75.5), (True, None), ("n/a", None), ("nan", None)],
)
def test_a_score_is_a_finite_number_or_none(value: object, expected: float | None) -> None:
    assert mapping.score(value) == expected


def test_a_coursemember_without_dates_or_verdict_has_an_empty_progress() -> None:
    assert mapping.progress({}) == Progress(None, None, None, "")
    assert mapping.progress({"success": "yes", "completedDate": "soon"}) == Progress(
        None, None, None, ""
    )


# --- tokens --------------------------------------------------------------------------------


def test_every_request_carries_a_fresh_single_use_token(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator
) -> None:
    for n in range(2, 30):
        coursepath_sim.seed_member(f"p{n}@acme.com")
    for _ in range(3):
        assert len([r for r in coursepath.fetch() if isinstance(r, RemoteUser)]) == 29
    coursepath.check()
    assert all(r.status == 200 for r in coursepath_sim.requests)
    assert len(coursepath_sim.state.used_jtis) == len(coursepath_sim.requests)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_token_names_the_acting_member_and_is_signed_hs256(clock: FakeClock) -> None:
    header = JwtMinter(SECRET, "api@acme.example", clock).headers()["Authorization"]
    token = header.removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["email"] == "api@acme.example"
    assert claims["iat"] == int(clock.now().timestamp())
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_a_stale_clock_is_fatal_after_one_fresh_token(
    make_coursepath: CoursepathMaker, clock: FakeClock
) -> None:
    ahead = CoursepathSimulator(jwt_secret=SECRET, clock=lambda: clock.now().timestamp() + 300)
    ahead.seed_member("api@acme.example")
    connector = make_coursepath(transport=ahead.transport())
    with pytest.raises(FatalError, match="401"):
        connector.check()
    assert [r.status for r in ahead.requests] == [401, 401]


def test_a_wrong_secret_is_fatal_and_the_secret_never_shows(
    make_coursepath: CoursepathMaker,
) -> None:
    wrong = "not-the-coursepath-secret-93ab"
    with capture_logs() as logs, pytest.raises(FatalError) as raised:
        make_coursepath(jwt_secret=wrong).check()
    for text in (str(raised.value), repr(logs)):
        assert wrong not in text
        assert SECRET not in text


def test_the_secret_never_reaches_logs_or_errors(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    with capture_logs() as logs:
        list(coursepath.fetch())
        refs.users[e(1)] = rid(99)
        outcomes = coursepath.apply([UpdateUser(person(1), ())], refs)
    assert isinstance(outcomes[0], Rejected)
    text = repr(logs) + repr(outcomes)
    assert SECRET not in text
    assert "Bearer" not in text


def test_plain_http_is_refused_off_loopback() -> None:
    check_scheme("http://127.0.0.1:8080")
    check_scheme("http://localhost:8080")
    check_scheme("https://acme.coursepath.com")
    with pytest.raises(ConfigError):
        check_scheme("http://acme.coursepath.com")


# --- members -------------------------------------------------------------------------------


def test_create_update_deactivate_and_reactivate(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    new = person(2, attributes=(("company", "Acme"), ("country", "BE")))
    [created] = coursepath.apply([CreateUser(new)], refs)
    assert created == Applied(rid(2))
    member = coursepath_sim.snapshot().members["p2@acme.com"]
    assert member[0] == "First2 Last2"
    assert dict(member[2]) == {"company": "Acme", "country": "BE", "externalId": "E2"}

    refs.users[e(2)] = rid(2)
    change = FieldChange("last_name", "Last2", "Other")
    assert coursepath.apply([UpdateUser(person(2, last_name="Other"), (change,))], refs) == [
        Applied()
    ]
    assert coursepath_sim.snapshot().members["p2@acme.com"][0] == "First2 Other"
    assert coursepath.apply([DeactivateUser(e(2))], refs) == [Applied()]
    assert coursepath_sim.snapshot().members["p2@acme.com"][1] is False
    assert coursepath.apply([ReactivateUser(e(2))], refs) == [Applied()]
    assert coursepath_sim.snapshot().members["p2@acme.com"][1] is True
    assert coursepath_sim.invitations == []


def test_a_taken_email_adopts_the_member(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    taken = coursepath_sim.seed_member("P2@acme.com", "Someone")
    assert coursepath.apply([CreateUser(person(2))], refs) == [Applied(rid(taken))]
    assert len(coursepath_sim.snapshot().members) == 2


def test_a_create_retried_after_a_lost_answer_leaves_one_member(
    make_coursepath: CoursepathMaker,
    coursepath_sim: CoursepathSimulator,
    coursepath_lossy: Callable[..., LosingTransport],
    refs: Refs,
) -> None:
    connector = make_coursepath(transport=coursepath_lossy("POST", MEMBERS))
    assert connector.apply([CreateUser(person(2))], refs) == [Applied(rid(2))]
    assert list(coursepath_sim.snapshot().members) == ["api@acme.example", "p2@acme.com"]


def test_a_create_lost_on_the_way_stays_retriable(
    make_coursepath: CoursepathMaker,
    coursepath_lossy: Callable[..., LosingTransport],
    refs: Refs,
) -> None:
    connector = make_coursepath(transport=coursepath_lossy("POST", MEMBERS, deliver=False))
    with pytest.raises(RetriableError):
        connector.apply([CreateUser(person(2))], refs)


def test_a_refused_create_is_rejected_with_coursepath_words(
    coursepath: CoursepathConnector, refs: Refs
) -> None:
    [outcome] = coursepath.apply([CreateUser(person(2, email="not-an-email"))], refs)
    assert isinstance(outcome, Rejected)
    assert "400" in outcome.error


def test_invitations_only_when_configured(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    make_coursepath().apply([CreateUser(person(2))], refs)
    make_coursepath(notify=True).apply([CreateUser(person(3))], refs)
    assert coursepath_sim.invitations == []
    make_coursepath(send_invitations=True, notify=True).apply([CreateUser(person(4))], refs)
    assert [(i.email, i.scope) for i in coursepath_sim.invitations] == [("p4@acme.com", "academy")]


def test_a_refused_invitation_leaves_the_creation_applied(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    coursepath_sim.fail_next(1, 400, path_prefix=f"{MEMBERS}/2/invite")
    with capture_logs() as logs:
        connector = make_coursepath(send_invitations=True, notify=True)
        outcomes = connector.apply([CreateUser(person(2))], refs)
    assert outcomes == [Applied(rid(2))]
    assert any(log["event"] == "coursepath_invite_failed" for log in logs)


def _calls(sim: CoursepathSimulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.requests]


def test_a_create_carries_the_first_enrollment_in_one_request(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    refs.courses[CourseCode("C1")] = rid(course)
    ops = [CreateUser(person(2)), Enroll(e(2), CourseCode("C1"))]
    assert coursepath.apply(ops, refs) == [Applied(rid(2)), Applied()]
    assert _calls(coursepath_sim) == [("POST", f"/api/v1/courses/{course}/members")]
    assert [(c, m) for c, m, *_ in coursepath_sim.snapshot().enrollments] == [("C1", "p2@acme.com")]
    assert dict(coursepath_sim.snapshot().members["p2@acme.com"][2])["externalId"] == "E2"


def test_a_result_of_an_enrollment_made_by_a_create_is_read_by_the_next_fetch(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    """A create that enrolled reads no result back (there is none yet); the next read
    takes the coursemember of every enrollment, this one included."""
    course = coursepath_sim.seed_course("C1", "Course")
    refs.courses[CourseCode("C1")] = rid(course)
    coursepath.apply([CreateUser(person(2)), Enroll(e(2), CourseCode("C1"))], refs)
    coursepath_sim.set_result(course, 2, score=90, success=True, completed="2026-01-20T10:00:00Z")
    [found] = [r for r in coursepath.fetch() if isinstance(r, RemoteEnrollment)]
    assert (found.user_remote_id, found.status) == (rid(2), EnrollmentStatus.COMPLETED)
    assert found.progress is not None
    assert found.progress.score == 90.0


def test_a_create_carries_a_program_enrollment(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    program = coursepath_sim.seed_program("ONBOARD", "Onboarding")
    connector = make_coursepath(courses={"ONB": f"program:{program}"})
    ops = [CreateUser(person(2)), Enroll(e(2), CourseCode("ONB"))]
    assert connector.apply(ops, refs) == [Applied(rid(2)), Applied()]
    assert _calls(coursepath_sim) == [("POST", f"/api/v1/programs/{program}/members")]
    assert coursepath_sim.snapshot().program_members == {("ONBOARD", "p2@acme.com")}


def test_a_taken_email_adopts_and_enrolls_what_the_create_carried(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    taken = coursepath_sim.seed_member("P2@acme.com", "Someone")
    refs.courses[CourseCode("C1")] = rid(course)
    ops = [CreateUser(person(2)), Enroll(e(2), CourseCode("C1"))]
    assert coursepath.apply(ops, refs) == [Applied(rid(taken)), Applied()]
    assert ("POST", f"/api/v1/courses/{course}/members/{taken}/coursemember") in _calls(
        coursepath_sim
    )
    assert [m for _, m, *_ in coursepath_sim.snapshot().enrollments] == ["P2@acme.com"]


def test_a_carried_create_whose_answer_is_lost_leaves_one_enrolled_member(
    make_coursepath: CoursepathMaker,
    coursepath_sim: CoursepathSimulator,
    coursepath_lossy: Callable[..., LosingTransport],
    refs: Refs,
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    refs.courses[CourseCode("C1")] = rid(course)
    connector = make_coursepath(
        transport=coursepath_lossy("POST", f"/api/v1/courses/{course}/members")
    )
    ops = [CreateUser(person(2)), Enroll(e(2), CourseCode("C1"))]
    assert connector.apply(ops, refs) == [Applied(rid(2)), Applied()]
    assert list(coursepath_sim.snapshot().members) == ["api@acme.example", "p2@acme.com"]
    assert len(coursepath_sim.snapshot().enrollments) == 1


def test_a_carried_course_syncd_cannot_place_rejects_only_the_enrollment(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    [created, enrolled] = coursepath.apply(
        [CreateUser(person(2)), Enroll(e(2), CourseCode("NOPE"))], refs
    )
    assert created == Applied(rid(2))
    assert isinstance(enrolled, Rejected)
    assert _calls(coursepath_sim) == [("POST", MEMBERS)]


def test_a_refused_carried_create_rejects_both(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    refs.courses[CourseCode("C1")] = rid(course)
    ops = [CreateUser(person(2, email="not-an-email")), Enroll(e(2), CourseCode("C1"))]
    outcomes = coursepath.apply(ops, refs)
    assert all(isinstance(o, Rejected) and "400" in o.error for o in outcomes)
    assert coursepath_sim.snapshot().enrollments == frozenset()


# --- groups --------------------------------------------------------------------------------


def test_groups_by_name_create_add_and_remove(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    coursepath_sim.seed_member("p2@acme.com")
    [made] = coursepath.apply([CreateGroup(Group(EU, "Europe"))], refs)
    assert made == Applied(rid(1))
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset()}

    refs.users[e(2)] = rid(2)
    refs.groups[EU] = rid(1)
    assert coursepath.apply([AddMember(EU, e(2))], refs) == [Applied()]
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset({"p2@acme.com"})}
    assert coursepath.apply([RemoveMember(EU, e(2))], refs) == [Applied()]
    assert coursepath.apply([RemoveMember(EU, e(2))], refs) == [Applied()]  # already out
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset()}


def test_after_a_read_group_writes_ask_coursepath_for_no_names_nor_the_acting_member(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    coursepath_sim.add_to_group(coursepath_sim.seed_member("p2@acme.com"), "Europe")
    coursepath_sim.seed_member("p3@acme.com")
    list(coursepath.fetch())
    read = len(coursepath_sim.requests)
    refs.users.update({e(2): rid(2), e(3): rid(3)})
    refs.groups[EU] = rid(1)
    assert coursepath.apply([CreateGroup(Group(SALES, "Sales"))], refs) == [Applied(rid(2))]
    refs.groups[SALES] = rid(2)
    assert coursepath.apply([AddMember(SALES, e(3))], refs) == [Applied()]
    assert coursepath.apply([AddMember(EU, e(3))], refs) == [Applied()]
    assert coursepath.apply([RemoveMember(EU, e(2))], refs) == [Applied()]
    assert [path for _, path in _calls(coursepath_sim)[read:]] == [
        f"{MEMBERS}/1/groups",  # the acting member joins Sales, as the read listed her
        f"{MEMBERS}/1/groups",  # and leaves it
        f"{MEMBERS}/3/groups",
        f"{MEMBERS}/3/groups",
        f"{MEMBERS}/2/groups",
    ]
    assert coursepath_sim.snapshot().groups == {
        "Europe": frozenset({"p3@acme.com"}),
        "Sales": frozenset({"p3@acme.com"}),
    }


def test_the_acting_member_leaves_every_group_she_made_in_one_request(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    ops = [CreateGroup(Group(EU, "Europe")), CreateGroup(Group(SALES, "Sales"))]
    assert coursepath.apply(ops, refs) == [Applied(rid(1)), Applied(rid(2))]
    assert [(r.method, r.path, r.query.get("name")) for r in coursepath_sim.requests] == [
        ("GET", f"{MEMBERS}/me", None),  # no read listed her yet
        ("POST", f"{MEMBERS}/1/groups", None),
        ("POST", f"{MEMBERS}/1/groups", None),
        ("DELETE", f"{MEMBERS}/1/groups", ("Europe", "Sales")),
    ]
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset(), "Sales": frozenset()}


def test_a_refused_group_leaves_the_others_made_and_left(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    ops = [CreateGroup(Group(EU, "Europe")), CreateGroup(Group(SALES, " "))]
    [made, refused] = coursepath.apply(ops, refs)
    assert made == Applied(rid(1))
    assert isinstance(refused, Rejected)
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset()}


class RefusingDeletes(httpx.BaseTransport):
    """The simulator's transport, but every DELETE is answered 400."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(400, json={"error": "bad_request", "message": "no"})
        return self._inner.handle_request(request)


def test_a_refused_leave_is_logged_and_the_groups_stand(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    connector = make_coursepath(transport=RefusingDeletes(coursepath_sim.transport()))
    with capture_logs() as logs:
        outcomes = connector.apply([CreateGroup(Group(EU, "Europe"))], refs)
    assert outcomes == [Applied(rid(1))]
    assert any(log["event"] == "coursepath_leave_failed" for log in logs)


def test_a_members_removals_from_several_groups_are_one_request(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    for n in (2, 3):
        member = coursepath_sim.seed_member(f"p{n}@acme.com")
        coursepath_sim.add_to_group(member, "Europe")
        coursepath_sim.add_to_group(member, "Sales")
    list(coursepath.fetch())
    read = len(coursepath_sim.requests)
    refs.users.update({e(2): rid(2), e(3): rid(3)})
    refs.groups.update({EU: rid(1), SALES: rid(2)})
    ops = [RemoveMember(EU, e(2)), RemoveMember(EU, e(3)), RemoveMember(SALES, e(2))]
    assert coursepath.apply(ops, refs) == [Applied()] * 3
    assert [(r.method, r.path, r.query.get("name")) for r in coursepath_sim.requests[read:]] == [
        ("DELETE", f"{MEMBERS}/2/groups", ("Europe", "Sales")),
        ("DELETE", f"{MEMBERS}/3/groups", ("Europe",)),
    ]
    assert coursepath_sim.snapshot().groups == {
        "Europe": frozenset(),
        "Sales": frozenset({"p3@acme.com"}),
    }


def test_a_removal_already_done_is_resent_name_by_name(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    """Coursepath refuses (404) the whole DELETE when she is not in one of the names."""
    member = coursepath_sim.seed_member("p2@acme.com")
    coursepath_sim.add_to_group(member, "Sales")
    coursepath_sim.add_to_group(coursepath_sim.seed_member("p3@acme.com"), "Europe")
    refs.users[e(2)] = rid(member)
    refs.groups.update({SALES: rid(1), EU: rid(2)})
    outcomes = coursepath.apply([RemoveMember(EU, e(2)), RemoveMember(SALES, e(2))], refs)
    assert outcomes == [Applied(), Applied()]
    assert [r.status for r in coursepath_sim.requests if r.method == "DELETE"] == [404, 404, 204]
    assert coursepath_sim.snapshot().groups["Sales"] == frozenset()


def test_a_refused_removal_rejects_that_members_operations_only(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    for n in (2, 3):
        coursepath_sim.add_to_group(coursepath_sim.seed_member(f"p{n}@acme.com"), "Europe")
    refs.users.update({e(2): rid(2), e(3): rid(3)})
    refs.groups[EU] = rid(1)
    coursepath_sim.fail_next(1, 400, path_prefix=f"{MEMBERS}/2/groups")
    [two, three] = coursepath.apply([RemoveMember(EU, e(2)), RemoveMember(EU, e(3))], refs)
    assert isinstance(two, Rejected)
    assert three == Applied()
    assert coursepath_sim.snapshot().groups == {"Europe": frozenset({"p2@acme.com"})}


def test_a_group_id_coursepath_does_not_know_rejects_that_op(
    coursepath: CoursepathConnector, refs: Refs
) -> None:
    refs.users[e(1)] = rid(1)
    refs.groups[SALES] = rid(42)
    [outcome] = coursepath.apply([AddMember(SALES, e(1))], refs)
    assert isinstance(outcome, Rejected)


def test_what_coursepath_has_no_api_for_is_unsupported(
    coursepath: CoursepathConnector, refs: Refs
) -> None:
    supports = coursepath.capabilities.supports
    assert OpKind.DELETE_GROUP not in supports
    assert OpKind.DELETE_USER not in supports
    assert not coursepath.capabilities.groups_have_codes
    assert coursepath.capabilities.natural_keys == ("external_id", "email")
    assert coursepath.apply([DeleteGroup(SALES)], refs) == [
        Rejected("Coursepath has no API for this")
    ]


# --- courses and programs ------------------------------------------------------------------


def test_enroll_is_safe_to_repeat(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    refs.users[e(1)] = rid(1)
    refs.courses[CourseCode("C1")] = rid(course)
    op = Enroll(e(1), CourseCode("C1"))
    assert coursepath.apply([op, op], refs) == [Applied(), Applied()]
    assert len(coursepath_sim.snapshot().enrollments) == 1


def test_a_program_code_enrolls_in_the_program(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    program = coursepath_sim.seed_program("ONBOARD", "Onboarding")
    connector = make_coursepath(courses={"ONB": f"program:{program}"})
    refs.users[e(1)] = rid(1)
    assert connector.apply([Enroll(e(1), CourseCode("ONB"))], refs) == [Applied()]
    assert coursepath_sim.snapshot().program_members == {("ONBOARD", "api@acme.example")}


def test_no_unenroll_without_the_opt_in(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    coursepath_sim.enroll(course, 1)
    coursepath_sim.set_result(course, 1, score=80)
    refs.users[e(1)] = rid(1)
    refs.courses[CourseCode("C1")] = rid(course)

    assert OpKind.UNENROLL not in coursepath.capabilities.supports
    [outcome] = coursepath.apply([Unenroll(e(1), CourseCode("C1"))], refs)

    assert isinstance(outcome, Rejected)
    assert len(coursepath_sim.snapshot().enrollments) == 1
    assert not [r for r in coursepath_sim.requests if r.method == "DELETE"]


def test_with_the_opt_in_unenroll_deletes_the_results(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    coursepath_sim.enroll(course, 1)
    coursepath_sim.set_result(course, 1, score=80)
    refs.users[e(1)] = rid(1)
    refs.courses[CourseCode("C1")] = rid(course)
    connector = make_coursepath(allow_result_deletion=True)

    assert OpKind.UNENROLL in connector.capabilities.supports
    op = Unenroll(e(1), CourseCode("C1"))
    assert connector.apply([op], refs) == [Applied()]
    assert connector.apply([op], refs) == [Applied()]  # already gone
    assert coursepath_sim.snapshot().enrollments == frozenset()
    connector.apply([Enroll(e(1), CourseCode("C1"))], refs)
    [(_, _, score, _, _)] = coursepath_sim.snapshot().enrollments
    assert score is None


# --- registry ------------------------------------------------------------------------------


def test_registered_and_adopt_is_never_sent(
    coursepath: CoursepathConnector, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    assert lookup("coursepath").connector is factory
    adopt = Adopt(UserKey(EmployeeId("E1")), rid(1))
    assert coursepath.apply([adopt], refs) == [Applied(rid(1))]
    assert coursepath_sim.requests == []


def test_the_factory_refuses_another_kind(clock: FakeClock) -> None:
    other = DokeosTarget(name="d", base_url="https://d.example", api_token="tok-1234")
    with pytest.raises(ConfigError):
        build_connector(other.model_copy(update={"kind": "coursepath"}), ConnectorContext(clock))
    with pytest.raises(ConfigError):
        factory(other, ConnectorContext(clock))


def test_mapping_of_a_member_without_profile() -> None:
    user = mapping.user({"id": 3, "email": "a@b.c", "name": "Ann", "active": True})
    assert (user.first_name, user.last_name, user.external_id) == ("Ann", "", None)
