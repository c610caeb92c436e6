"""The Litmos connector and the target's `notify`: off, every write that has Litmos's email
switch says `sendmessage=false` and a new account has its messages disabled, and the
simulator sends nothing; on, creates, imports and course assignments say true, and what
the simulator sends is what `capabilities.side_effects` declares for the operations.
Team additions never ask for an email. `send_course_emails` is `notify`'s old spelling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from syncd.clock import FakeClock
from syncd.connectors.base import Effect, SideEffects
from syncd.connectors.litmos import LitmosConnector
from syncd.operations import AddMember, CreateUser, Enroll, OpKind
from syncd.reconcile.notes import effect_totals
from syncd.records import CourseCode, EmployeeId, RemoteId
from syncd.sandbox.litmos import LitmosSimulator
from tests.connectors.test_litmos_imports import SALES, SETTLED, _batch, _world, person
from tests.lms_fixtures import Refs

LitmosMaker = Callable[..., LitmosConnector]
DECLARED = SideEffects(
    {OpKind.CREATE_USER: {Effect.WELCOME_EMAIL: 1}, OpKind.ENROLL: {Effect.ASSIGNMENT_EMAIL: 1}}
)


def _queries(sim: LitmosSimulator, method: str, path: str) -> list[tuple[str, ...]]:
    """The `sendmessage` of each `method path` request the simulator took."""
    sent = [r for r in sim.requests if (r.method, r.path) == (method, path)]
    return [r.query.get("sendmessage", ()) for r in sent]


@pytest.mark.parametrize("notify", [False, True])
def test_capabilities_declare_a_login_email_per_create_and_a_course_email_per_enroll(
    make_litmos: LitmosMaker, notify: bool
) -> None:
    effects = make_litmos(notify=notify).capabilities.side_effects
    assert effects == (DECLARED if notify else SideEffects())
    assert effects.unswitchable == frozenset()  # every Litmos email has a switch


@pytest.mark.parametrize("notify", [False, True])
def test_a_create_one_by_one_says_sendmessage_and_disable_messages_as_notify_says(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, notify: bool
) -> None:
    litmos = make_litmos(notify=notify, bulk_import_threshold=0)
    litmos.apply([CreateUser(person(1))], Refs())
    [create] = [r for r in litmos_sim.requests if (r.method, r.path) == ("POST", "/v1.svc/users")]
    assert create.query["sendmessage"] == ("true" if notify else "false",)
    assert isinstance(create.body, dict)
    assert create.body["DisableMessages"] is (not notify)
    assert litmos_sim.side_effects() == ({"welcome_email": 1} if notify else {})


@pytest.mark.parametrize("notify", [False, True])
def test_an_assignment_says_sendmessage_as_notify_says(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, notify: bool
) -> None:
    refs = Refs()
    _world(litmos_sim, refs)
    user = litmos_sim.seed_user("p1@acme.com", "First1", "Last1", "p1@acme.com")
    refs.users[EmployeeId("E1")] = RemoteId(user)
    make_litmos(notify=notify).apply([Enroll(EmployeeId("E1"), CourseCode("SEC-101"))], refs)
    path = f"/v1.svc/users/{user}/courses"
    assert _queries(litmos_sim, "POST", path) == [("true" if notify else "false",)]
    assert litmos_sim.side_effects() == ({"assignment_email": 1} if notify else {})


@pytest.mark.parametrize("notify", [False, True])
def test_a_team_addition_never_asks_for_an_email(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, notify: bool
) -> None:
    """The login email goes once, with the create; a team call asking for it would send it
    again for every team ("send login emails to new users")."""
    refs = Refs()
    _world(litmos_sim, refs)
    user = litmos_sim.seed_user("p1@acme.com", "First1", "Last1", "p1@acme.com")
    refs.users[EmployeeId("E1")] = RemoteId(user)
    make_litmos(notify=notify).apply([AddMember(SALES, EmployeeId("E1"))], refs)
    path = f"/v1.svc/teams/{refs.groups[SALES]}/users"
    assert _queries(litmos_sim, "POST", path) == [("false",)]
    assert litmos_sim.side_effects() == {}


@pytest.mark.parametrize("notify", [False, True])
def test_an_import_says_sendmessage_as_notify_says_and_emails_what_was_declared(
    litmos_sim: LitmosSimulator, make_litmos: LitmosMaker, clock: FakeClock, notify: bool
) -> None:
    """Rows carry their people's courses whatever `notify` says: the import's one switch
    stops or sends their login and course emails alike, as the single calls' would."""
    refs = Refs()
    _world(litmos_sim, refs)
    litmos = make_litmos(notify=notify, bulk_import_threshold=3)
    batch = _batch(range(3))
    litmos.apply(batch, refs)
    assert _queries(litmos_sim, "POST", "/v1.svc/bulkimports") == [("true" if notify else "false",)]
    clock.advance(SETTLED)
    declared = effect_totals(batch, litmos.capabilities.side_effects)
    assert litmos_sim.side_effects() == {effect.value: n for effect, n in declared.items()}
    assert bool(declared) is notify


@pytest.mark.parametrize("emails", [False, True])
def test_send_course_emails_is_notify_s_old_spelling(
    make_litmos: LitmosMaker, emails: bool
) -> None:
    litmos = make_litmos(send_course_emails=emails)
    assert litmos.capabilities.side_effects == (DECLARED if emails else SideEffects())
