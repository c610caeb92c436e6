"""The Docebo connector's `DeleteUser` against the Docebo simulator: one
`DELETE /manage/v1/user/delete` per batch, an outcome per user from `deleted_user_ids`,
lookups that fail reject one operation only, and a lost answer is never resent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from syncd.connectors.docebo import DoceboConnector
from syncd.errors import RetriableError
from syncd.operations import Applied, DeleteUser, OpKind, Rejected
from syncd.records import EmployeeId, RemoteId
from syncd.sandbox import DoceboSimulator
from tests.lms_fixtures import LosingTransport, Refs

ConnectorMaker = Callable[..., DoceboConnector]
Lossy = Callable[..., LosingTransport]
DELETE = "/manage/v1/user/delete"


def seed_people(sim: DoceboSimulator, refs: Refs, *numbers: int) -> dict[int, int]:
    ids = {n: sim.seed_user(f"p{n}", f"p{n}@acme.com", f"F{n}", f"L{n}") for n in numbers}
    refs.users.update({EmployeeId(f"E{n}"): RemoteId(str(i)) for n, i in ids.items()})
    return ids


def deletes(*numbers: int) -> list[DeleteUser]:
    return [DeleteUser(EmployeeId(f"E{n}")) for n in numbers]


def bodies(sim: DoceboSimulator) -> list[Any]:
    return [r.body for r in sim.requests if (r.method, r.path) == ("DELETE", DELETE)]


def test_a_batch_of_deletes_is_one_request_and_each_is_applied(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    ids = seed_people(sim, refs, 1, 2, 3)
    course = sim.seed_course("SEC-101", "Security")
    sim.seed_enrollment(course, ids[1])
    assert connector.apply(deletes(1, 2), refs) == [Applied(), Applied()]
    assert bodies(sim) == [{"user_ids": [ids[1], ids[2]]}]
    assert set(sim.snapshot().users) == {"p3"}
    assert sim.snapshot().enrollments == frozenset()


def test_a_user_docebo_did_not_delete_is_rejected_with_its_words(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    refs.users[EmployeeId("E2")] = RemoteId("999")
    assert connector.apply(deletes(1, 2), refs) == [Applied(), Rejected("User not found: 999")]
    assert sim.snapshot().users == {}


def test_lookups_that_fail_reject_that_op_only(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1)
    refs.users[EmployeeId("E3")] = RemoteId("not-a-docebo-id")
    outcomes = connector.apply(deletes(1, 2, 3), refs)
    assert outcomes[:2] == [Applied(), Rejected("no user linked for E2")]
    assert isinstance(outcomes[2], Rejected)
    assert bodies(sim) == [{"user_ids": [1]}]


def test_no_request_when_no_user_is_linked(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    assert connector.apply(deletes(9), refs) == [Rejected("no user linked for E9")]
    assert bodies(sim) == []


def test_a_request_refused_whole_rejects_every_op_with_docebos_words(
    sim: DoceboSimulator, connector: DoceboConnector, refs: Refs
) -> None:
    seed_people(sim, refs, 1, 2)
    body = {"name": "Bad Request", "message": "Too many users", "code": 400}
    sim.fail_next(1, 400, path_prefix=DELETE, body=body)
    refused = Rejected("Too many users (HTTP 400)")
    assert connector.apply(deletes(1, 2), refs) == [refused, refused]
    assert len(sim.snapshot().users) == 2


def test_a_503_is_retried(sim: DoceboSimulator, connector: DoceboConnector, refs: Refs) -> None:
    seed_people(sim, refs, 1)
    sim.fail_next(1, 503, path_prefix=DELETE)
    assert connector.apply(deletes(1), refs) == [Applied()]
    assert len(bodies(sim)) == 2


@pytest.mark.parametrize("deliver", [True, False])
def test_a_lost_answer_is_not_resent(
    sim: DoceboSimulator,
    make_connector: ConnectorMaker,
    refs: Refs,
    lossy: Lossy,
    deliver: bool,
) -> None:
    seed_people(sim, refs, 1)
    connector = make_connector(transport=lossy("DELETE", DELETE, deliver=deliver))
    with pytest.raises(RetriableError, match="may have reached the server"):
        connector.apply(deletes(1), refs)
    assert len(bodies(sim)) == (1 if deliver else 0)
    assert (sim.snapshot().users == {}) is deliver


def test_deletes_are_batched_by_batch_size(make_connector: ConnectorMaker) -> None:
    assert make_connector(batch_size=70).capabilities.batch_size(OpKind.DELETE_USER) == 70
