"""The Docebo connector and the target's `notify`: every user batch says
`send_notification_email` as `notify` says (off by default: no source gives the option's
default, so it is never left out); off, the simulator emails nobody; on, what it sends is
what `capabilities.side_effects` declares for the operations (a notification email per
new user). Enrollments and the other writes have no switch and no source says they email."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from syncd.connectors.base import Effect, SideEffects
from syncd.connectors.docebo import DoceboConnector
from syncd.operations import CreateUser, DeactivateUser, Enroll, Operation, OpKind
from syncd.reconcile.notes import effect_totals
from syncd.records import CourseCode, EmployeeId, RemoteId
from syncd.sandbox import DoceboSimulator
from tests.connectors.test_docebo_bulk_upserts import batch_bodies, person
from tests.lms_fixtures import Refs

ConnectorMaker = Callable[..., DoceboConnector]


@pytest.mark.parametrize("notify", [False, True])
def test_capabilities_declare_a_notification_email_per_new_user(
    make_connector: ConnectorMaker, notify: bool
) -> None:
    effects = make_connector(notify=notify).capabilities.side_effects
    declared = SideEffects({OpKind.CREATE_USER: {Effect.WELCOME_EMAIL: 1}})
    assert effects == (declared if notify else SideEffects())
    assert effects.unswitchable == frozenset()


@pytest.mark.parametrize("notify", [False, True])
def test_every_user_batch_says_send_notification_email_as_notify_says(
    sim: DoceboSimulator, make_connector: ConnectorMaker, notify: bool
) -> None:
    refs = Refs()
    old = sim.seed_user("old@acme.com", "old@acme.com", "Old", "One")
    refs.users[EmployeeId("E9")] = RemoteId(str(old))
    connector = make_connector(notify=notify)
    batch: list[Operation] = [CreateUser(person(1)), CreateUser(person(2))]
    batch.append(DeactivateUser(EmployeeId("E9")))
    connector.apply(batch, refs)
    connector.apply([CreateUser(person(3))], refs)
    bodies = batch_bodies(sim)
    assert [body["options"]["send_notification_email"] for body in bodies] == [notify] * 2
    declared = effect_totals([*batch, CreateUser(person(3))], connector.capabilities.side_effects)
    assert sim.side_effects() == {effect.value: n for effect, n in declared.items()}
    assert sim.side_effects() == ({"welcome_email": 3} if notify else {})


def test_an_enrollment_emails_nobody_even_with_notify_on(
    sim: DoceboSimulator, make_connector: ConnectorMaker
) -> None:
    refs = Refs()
    refs.users[EmployeeId("E1")] = RemoteId(str(sim.seed_user("ann", "a@acme.com", "A", "L")))
    refs.courses[CourseCode("SEC-101")] = RemoteId(str(sim.seed_course("SEC-101", "Security")))
    connector = make_connector(notify=True)
    connector.apply([Enroll(EmployeeId("E1"), CourseCode("SEC-101"))], refs)
    assert connector.capabilities.side_effects.of(OpKind.ENROLL) == {}
    assert sim.side_effects() == {}
