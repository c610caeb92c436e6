"""What the Coursepath connector declares Coursepath does on its own, and what it sends for
it (docs/lms/coursepath.md, "Side effects"): an invitation email per member it creates, only
with `send_invitations` and `notify` (the invitation is an email and nothing else, so
`notify = false` leaves it out, and asking for invitations without `notify` is a config
error); deleted results per Unenroll, only with `allow_result_deletion`, which no switch
stops. What it declares for a batch equals what the simulator records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from syncd.connectors.base import Effect, SideEffects
from syncd.connectors.coursepath import CoursepathConnector
from syncd.errors import ConfigError
from syncd.kinds import load_config
from syncd.operations import Applied, CreateUser, Enroll, Operation, OpKind, Unenroll
from syncd.reconcile.notes import effect_totals
from syncd.records import CourseCode, EmployeeId, Person, RemoteId
from syncd.sandbox.coursepath import CoursepathSimulator
from tests.lms_fixtures import COURSEPATH_ACTOR, COURSEPATH_SECRET, Refs

CoursepathMaker = Callable[..., CoursepathConnector]


def person(n: int) -> Person:
    email = f"p{n}@acme.com"
    return Person(EmployeeId(f"E{n}"), email, f"First{n}", f"Last{n}", username=email)


def recorded(sim: CoursepathSimulator) -> dict[Effect, int]:
    """The simulator's totals, as the plan's are keyed."""
    return {Effect(effect): n for effect, n in sim.side_effects().items()}


def declared(connector: CoursepathConnector, ops: list[Operation]) -> dict[Effect, int]:
    return effect_totals(ops, connector.capabilities.side_effects)


def test_by_default_nothing_is_declared_and_nobody_is_invited(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    connector = make_coursepath()
    assert connector.capabilities.side_effects == SideEffects(
        unswitchable=frozenset({Effect.RESULTS_DELETED})
    )
    ops: list[Operation] = [CreateUser(person(2))]
    assert connector.apply(ops, refs) == [Applied(RemoteId("2"))]
    assert all(r.path != "/api/v1/members/2/invite" for r in coursepath_sim.requests)
    assert declared(connector, ops) == recorded(coursepath_sim) == {}


def test_notify_alone_invites_nobody(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    """`notify` allows emails; which ones Coursepath sends is `send_invitations`'s to ask."""
    connector = make_coursepath(notify=True)
    ops: list[Operation] = [CreateUser(person(2))]
    connector.apply(ops, refs)
    assert declared(connector, ops) == recorded(coursepath_sim) == {}


def test_invitations_with_notify_are_one_welcome_email_per_member_created(
    make_coursepath: CoursepathMaker, coursepath_sim: CoursepathSimulator, refs: Refs
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    refs.courses[CourseCode("C1")] = RemoteId(str(course))
    connector = make_coursepath(notify=True, send_invitations=True)
    assert connector.capabilities.side_effects.of(OpKind.CREATE_USER) == {Effect.WELCOME_EMAIL: 1}
    assert Effect.WELCOME_EMAIL not in connector.capabilities.side_effects.unswitchable
    # one created alone, one created into the course its first enrollment names
    carried = Enroll(EmployeeId("E3"), CourseCode("C1"))
    ops: list[Operation] = [CreateUser(person(2)), CreateUser(person(3)), carried]
    assert connector.apply(ops, refs) == [Applied(RemoteId("2")), Applied(RemoteId("3")), Applied()]
    sent = [(r.method, r.path) for r in coursepath_sim.requests]
    assert ("POST", "/api/v1/members/2/invite") in sent
    assert ("POST", "/api/v1/members/3/invite") in sent
    assert declared(connector, ops) == recorded(coursepath_sim) == {Effect.WELCOME_EMAIL: 2}


def test_invitations_without_notify_are_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "syncd.toml"
    path.write_text(
        '[hr]\npath = "hr"\n[[targets]]\nname = "cp"\nkind = "coursepath"\n'
        f'base_url = "https://acme.coursepath.test"\njwt_secret = "{COURSEPATH_SECRET}"\n'
        f'acting_email = "{COURSEPATH_ACTOR}"\nsend_invitations = true\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="set notify = true to send invitations"):
        load_config(path, env={})


@pytest.mark.parametrize("notify", [False, True])
def test_an_unenroll_deletes_results_whatever_notify_says(
    make_coursepath: CoursepathMaker,
    coursepath_sim: CoursepathSimulator,
    refs: Refs,
    notify: bool,
) -> None:
    course = coursepath_sim.seed_course("C1", "Course")
    coursepath_sim.enroll(course, 1)
    coursepath_sim.set_result(course, 1, score=80, success=True, completed="2024-05-01T10:00:00Z")
    refs.users[EmployeeId("E1")] = RemoteId("1")
    refs.courses[CourseCode("C1")] = RemoteId(str(course))
    connector = make_coursepath(allow_result_deletion=True, notify=notify)
    effects = connector.capabilities.side_effects
    assert effects.of(OpKind.UNENROLL) == {Effect.RESULTS_DELETED: 1}
    assert Effect.RESULTS_DELETED in effects.unswitchable
    ops: list[Operation] = [Unenroll(EmployeeId("E1"), CourseCode("C1"))]
    assert connector.apply(ops, refs) == [Applied()]
    assert declared(connector, ops) == recorded(coursepath_sim) == {Effect.RESULTS_DELETED: 1}


def test_without_result_deletion_no_unenroll_is_declared(make_coursepath: CoursepathMaker) -> None:
    connector = make_coursepath(notify=True)
    assert OpKind.UNENROLL not in connector.capabilities.supports
    assert connector.capabilities.side_effects.of(OpKind.UNENROLL) == {}
