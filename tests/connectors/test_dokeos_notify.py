"""What the Dokeos connector declares Dokeos does on its own (docs/lms/dokeos.md, "Side
effects"): nothing, with `notify` on or off, as no source names an email, a switch for one, a
seat or deleted results; and `notify` changes no request it sends."""

from __future__ import annotations

import pytest

from syncd.clock import FakeClock
from syncd.connectors.base import SideEffects
from syncd.connectors.dokeos import DokeosConnector
from syncd.operations import CreateUser, Enroll, Operation, Unenroll
from syncd.reconcile.notes import effect_totals
from syncd.records import CourseCode, EmployeeId, Person, RemoteId
from syncd.sandbox import DokeosSimulator
from tests.lms_fixtures import LMSS, Refs

ANN = EmployeeId("E1")
SEC = CourseCode("SEC-101")


def writes_with(notify: bool) -> tuple[DokeosConnector, DokeosSimulator, list[Operation]]:
    """A user created, enrolled and unenrolled by a connector with `notify` as given."""
    clock = FakeClock()
    sim: DokeosSimulator = LMSS["dokeos"].simulator(clock)
    training = sim.seed_training("SEC-101", "Security")
    connector: DokeosConnector = LMSS["dokeos"].connect(sim, clock, notify=notify)
    refs = Refs(courses={SEC: RemoteId(str(training))})
    ann = Person(ANN, "ann@acme.com", "Ann", "Lee", username="ann")
    ops: list[Operation] = [CreateUser(ann), Enroll(ANN, SEC), Unenroll(ANN, SEC)]
    [created] = connector.apply(ops[:1], refs)
    refs.users[ANN] = created.remote_id  # type: ignore[union-attr]
    for op in ops[1:]:
        connector.apply([op], refs)
        sim.run_jobs()
    connector.close()
    return connector, sim, ops


@pytest.mark.parametrize("notify", [False, True])
def test_nothing_is_declared_and_nothing_happens(notify: bool) -> None:
    connector, sim, ops = writes_with(notify)
    assert connector.capabilities.side_effects == SideEffects()
    assert effect_totals(ops, connector.capabilities.side_effects) == {}
    assert sim.side_effects() == {}


def test_notify_changes_no_request() -> None:
    """No source names a Dokeos switch for emails, so there is none to set."""
    sent = [
        [(r.method, r.path, r.query, r.body) for r in writes_with(notify)[1].writes]
        for notify in (False, True)
    ]
    assert sent[0] == sent[1]
    assert len(sent[0]) == 3
