"""What the Litmos connector puts on the wire, pinned against the evidence (docs/lms/litmos.md):
whole-object user writes, the spec's create and assignment bodies, `to` on results, the team
tree from sub-team lists, search and source within 50 characters, both 503 wordings."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from syncd.clock import FakeClock
from syncd.connectors.litmos import LitmosConnector, mapping
from syncd.operations import (
    Applied,
    CreateUser,
    DeactivateUser,
    Enroll,
    OpKind,
    ReactivateUser,
    UpdateUser,
)
from syncd.records import (
    CourseCode,
    EmployeeId,
    Person,
    RemoteGroup,
    RemoteId,
)
from syncd.sandbox.litmos import LitmosSimulator
from tests.lms_fixtures import LITMOS_KEY, Refs

LitmosMaker = Callable[..., LitmosConnector]
SPEC_REQUIRED = {
    "Id",
    "UserName",
    "LastName",
    "Email",
    "AccessLevel",
    "Active",
    "DisableMessages",
    "IsCustomUsername",
    "SkipFirstLogin",
    "TimeZone",
}
# The order of the captured create body (create-new-user.yml), less the read-only LastLogin
# and LoginKey, plus the CustomField3 that capture's client left out.
CAPTURED_ORDER = [
    "Id", "UserName", "FirstName", "LastName", "FullName", "Email", "AccessLevel",
    "DisableMessages", "Active", "Skype", "PhoneWork", "PhoneMobile", "IsCustomUsername",
    "Password", "SkipFirstLogin", "TimeZone", "Street1", "Street2", "City", "State",
    "PostalCode", "Country", "CompanyName", "JobTitle",
    *(f"CustomField{n}" for n in range(1, 11)),
    "Culture",
]  # fmt: skip
NOT_OURS = {"AccessLevel": "Team_Leader", "TimeZone": "Europe/Berlin", "CustomField3": "CC-7"}


def person(n: int, **changes: object) -> Person:
    fields: dict[str, object] = {
        "employee_id": EmployeeId(f"E{n}"),
        "email": f"p{n}@acme.com",
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "username": f"p{n}@acme.com",
    }
    return Person(**(fields | changes))  # type: ignore[arg-type]


def bodies(sim: LitmosSimulator, method: str, path: str) -> list[object]:
    return [r.body for r in sim.requests if r.method == method and r.path == path]


def test_a_create_sends_every_required_field_in_the_captured_order(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    [outcome] = litmos.apply([CreateUser(person(1))], refs)
    assert isinstance(outcome, Applied)
    [body] = bodies(litmos_sim, "POST", "/v1.svc/users")
    assert isinstance(body, dict)
    assert list(body) == CAPTURED_ORDER
    assert set(body) >= SPEC_REQUIRED
    assert body["Id"] == ""
    assert (body["AccessLevel"], body["TimeZone"], body["SkipFirstLogin"]) == (
        "Learner",
        "UTC",
        False,
    )


def test_a_create_takes_the_targets_account_settings(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs
) -> None:
    litmos = make_litmos(time_zone="Europe/Paris", skip_first_login=True)
    litmos.apply([CreateUser(person(1))], refs)
    [body] = bodies(litmos_sim, "POST", "/v1.svc/users")
    assert isinstance(body, dict)
    assert (body["TimeZone"], body["SkipFirstLogin"]) == ("Europe/Paris", True)


def test_updates_and_deactivations_keep_every_field_syncd_does_not_own(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    user_id = litmos_sim.seed_user("p1@acme.com", "First1", "Last1", "p1@acme.com")
    litmos_sim.edit_user(user_id, **NOT_OURS)
    refs.users[EmployeeId("E1")] = RemoteId(user_id)
    renamed = person(1, first_name="Firstname", email="new@acme.com")
    for op in (UpdateUser(renamed, ()), DeactivateUser(EmployeeId("E1"))):
        assert litmos.apply([op], refs) == [Applied()]
        record = litmos_sim.user_record(user_id)
        assert {k: record[k] for k in NOT_OURS} == NOT_OURS
    assert litmos.apply([ReactivateUser(EmployeeId("E1"))], refs) == [Applied()]
    record = litmos_sim.user_record(user_id)
    assert {k: record[k] for k in NOT_OURS} == NOT_OURS
    assert (record["FirstName"], record["Email"], record["Active"]) == (
        "Firstname",
        "new@acme.com",
        True,
    )
    puts = bodies(litmos_sim, "PUT", f"/v1.svc/users/{user_id}")
    assert len(puts) == 3
    for body in puts:  # the whole object, its own Id, never a read-only field
        assert isinstance(body, dict)
        assert set(body) >= SPEC_REQUIRED
        assert body["Id"] == user_id
        assert mapping.READ_ONLY.isdisjoint(body)
    gets = [r for r in litmos_sim.requests if r.method == "GET"]
    assert len(gets) == 3  # one read of the user before each write


def test_results_are_read_with_since_and_a_to_past_the_walks_start(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, clock: FakeClock
) -> None:
    list(litmos.fetch())
    [asked] = [r for r in litmos_sim.requests if r.path == "/v1.svc/results/details"]
    assert asked.query["since"] == ("2000-01-01",)
    [to] = asked.query["to"]
    assert to > clock.now().strftime("%Y-%m-%d %H:%M:%S")


def test_the_team_tree_comes_from_the_sub_team_lists(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker
) -> None:
    top = litmos_sim.seed_team("Europe", description="org_unit:EU")
    mid = litmos_sim.seed_team("Germany", parent_id=top, description="org_unit:DE")
    low = litmos_sim.seed_team("Berlin", parent_id=mid, description="org_unit:BER")
    other = litmos_sim.seed_team("Mentors", description="group:mentors")
    groups = [r for r in make_litmos(page_size=1).fetch() if isinstance(r, RemoteGroup)]
    parents = {g.remote_id: g.parent_remote_id for g in groups}
    assert parents == {top: None, mid: top, low: mid, other: None}
    assert {g.code for g in groups} == {"EU", "DE", "BER", "mentors"}


def test_a_sub_team_item_yields_its_parent() -> None:
    item = {"Id": "rUxaeaSvSBg1", "Name": "Caroline Ross", "TeamCodeForBulkImport": "1-C"}
    team = mapping.sub_team(item, RemoteId("JyLa085jwVs1"))
    assert (team.remote_id, team.parent_remote_id) == ("rUxaeaSvSBg1", "JyLa085jwVs1")


def test_a_long_username_is_searched_by_its_first_50_characters(
    litmos_sim: LitmosSimulator, litmos: LitmosConnector, refs: Refs
) -> None:
    long_name = "a" * 45 + ".longname@acme.com"
    litmos_sim.seed_user(long_name, "Ann", "Lee", "ann@acme.com")
    [outcome] = litmos.apply([CreateUser(person(1, username=long_name))], refs)
    assert isinstance(outcome, Applied)  # refused as taken (409), found and adopted
    searches = [r.query["search"][0] for r in litmos_sim.requests if "search" in r.query]
    assert searches == [long_name[:50]]


@pytest.mark.parametrize("emails", [False, True])
def test_course_assignment_sends_the_spec_body_and_says_whether_to_email(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs, emails: bool
) -> None:
    user_id = litmos_sim.seed_user("p1@acme.com", "First1", "Last1", "p1@acme.com")
    course = litmos_sim.seed_course("SEC-101", "Security")
    refs.users[EmployeeId("E1")] = RemoteId(user_id)
    refs.courses[CourseCode("SEC-101")] = RemoteId(course)
    litmos = make_litmos(notify=emails)
    assert litmos.apply([Enroll(EmployeeId("E1"), CourseCode("SEC-101"))], refs) == [Applied()]
    [sent] = [r for r in litmos_sim.requests if r.path == f"/v1.svc/users/{user_id}/courses"]
    assert sent.body == {"Course": [{"Id": course}]}
    assert sent.query["sendmessage"] == ("true" if emails else "false",)
    assert len(litmos_sim.sent_messages) == (1 if emails else 0)
    assert bool(litmos.capabilities.side_effects.of(OpKind.ENROLL)) is emails


def test_a_person_s_courses_go_in_one_assignment_and_a_refusal_rejects_only_theirs(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs
) -> None:
    users = [litmos_sim.seed_user(f"p{n}", "F", "L", f"p{n}@acme.com") for n in (1, 2)]
    for n, user_id in enumerate(users, start=1):
        refs.users[EmployeeId(f"E{n}")] = RemoteId(user_id)
    for code in ("SEC-101", "GDPR-201"):
        refs.courses[CourseCode(code)] = RemoteId(litmos_sim.seed_course(code, code))
    refs.courses[CourseCode("GONE")] = RemoteId("not-a-course")
    wanted = [("E1", "SEC-101"), ("E2", "GONE"), ("E1", "GDPR-201"), ("E2", "SEC-101")]
    ops = [Enroll(EmployeeId(emp), CourseCode(code)) for emp, code in wanted]
    outcomes = make_litmos().apply(ops, refs)
    assert [type(o).__name__ for o in outcomes] == ["Applied", "Rejected", "Applied", "Rejected"]
    first = bodies(litmos_sim, "POST", f"/v1.svc/users/{users[0]}/courses")
    in_order = [{"Id": refs.courses[CourseCode(code)]} for code in ("SEC-101", "GDPR-201")]
    assert first == [{"Course": in_order}]
    assert len(bodies(litmos_sim, "POST", f"/v1.svc/users/{users[1]}/courses")) == 1
    assert litmos_sim.snapshot().assignments == (
        ("p1", "GDPR-201", False, None),
        ("p1", "SEC-101", False, None),
    )


class Recording(httpx.BaseTransport):
    """The simulator's transport, keeping every request as it left the client."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.sent = inner, list[httpx.Request]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)


def test_every_call_carries_a_content_type_and_the_key_in_a_header(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, refs: Refs
) -> None:
    wire = Recording(litmos_sim.transport())
    litmos = make_litmos(transport=wire)
    list(litmos.fetch())
    litmos.apply([CreateUser(person(1))], refs)
    assert {r.headers.get("content-type") for r in wire.sent} == {"application/json"}
    assert all(r.headers.get("apikey") and "apikey" not in r.url.params for r in wire.sent)
    assert {r.url.scheme for r in wire.sent} == {"https"}


@pytest.mark.parametrize(
    "wording", ["Rating Limit Exceeded", "The API rating limit has been exceeded"]
)
def test_both_503_wordings_are_waited_out(
    clock: FakeClock, make_litmos: LitmosMaker, wording: str
) -> None:
    sim = LitmosSimulator(
        api_key=LITMOS_KEY,
        clock=lambda: clock.now().timestamp(),
        rate_limit=3,
        rate_message=wording,
    )
    litmos = make_litmos(transport=sim.transport(), requests_per_minute=10)
    list(litmos.fetch())  # 10 a minute against an account that takes 3
    refused = [r for r in sim.requests if r.status == 503]
    assert refused
    assert clock.slept
