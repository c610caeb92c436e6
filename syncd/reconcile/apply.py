"""Apply: the only writer. Runs a recorded plan through one target's connector, one batch at a time.

Journal before send: each batch is marked `sent` (and committed) before its
request, and its outcome after. Consecutive operations of one kind are packed
up to the connector's batch size. A request refused whole fails its batch and
the lane goes on; a target-level error (auth, LMS down) stops the lane and
skips the rest; a shutdown request stops after the request in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

import structlog

from syncd.clock import Clock
from syncd.connectors.base import Connector
from syncd.errors import FatalError, RetriableError, SkippableError
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateGroup,
    CreateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    Operation,
    Outcome,
    Rejected,
    RemoveMember,
    Unenroll,
)
from syncd.reconcile.refs import LiveRefs
from syncd.records import LinkKind, RemoteId
from syncd.store import Session, journal
from syncd.store.links import drop_link, drop_links_of_user, put_link

log = structlog.get_logger()
Step = tuple[int, Operation]


@dataclass(slots=True)
class Lane:
    session: Session
    target: str
    connector: Connector
    refs: LiveRefs
    clock: Clock
    shutdown: threading.Event


@dataclass(slots=True)
class ApplyResult:
    status: str = "ok"  # ok | partial | failed | interrupted
    message: str | None = None
    done: int = 0
    failed: int = 0
    skipped: int = 0


def apply_plan(lane: Lane, steps: Sequence[Step]) -> ApplyResult:
    result = ApplyResult()
    batches = list(_batches(steps, lane.connector))
    for index, batch in enumerate(batches):
        if lane.shutdown.is_set():
            _skip_rest(lane, batches[index:], "not sent: syncd was asked to stop", result)
            result.status, result.message = "interrupted", "stopped on request"
            break
        try:
            _run_batch(lane, batch, result)
        except (FatalError, RetriableError) as err:
            _fail(lane, batch, str(err), result)
            _skip_rest(lane, batches[index + 1 :], f"not sent: target stopped: {err}", result)
            result.status, result.message = "failed", str(err)
            break
    if result.status == "ok" and result.failed:
        result.status = "partial"
    return result


def _batches(steps: Sequence[Step], connector: Connector) -> Iterator[list[Step]]:
    for kind, run in groupby(steps, key=lambda step: step[1].KIND):
        items = list(run)
        size = max(1, connector.capabilities.batch_size(kind))
        for start in range(0, len(items), size):
            yield items[start : start + size]


def _run_batch(lane: Lane, batch: list[Step], result: ApplyResult) -> None:
    ids = [op_id for op_id, _ in batch]
    journal.mark_sent(lane.session, ids, lane.clock.now())
    lane.session.commit()
    if isinstance(batch[0][1], Adopt):
        outcomes: list[Outcome] = [Applied(op.remote_id) for _, op in batch]  # type: ignore[union-attr]
    else:
        outcomes = _send(lane, [op for _, op in batch])
    for (op_id, op), outcome in zip(batch, outcomes, strict=True):
        _record(lane, op_id, op, outcome, result)
    lane.session.commit()
    log.info("batch_applied", kind=batch[0][1].KIND.value, size=len(batch))


def _send(lane: Lane, ops: list[Operation]) -> list[Outcome]:
    try:
        return lane.connector.apply(ops, lane.refs)
    except SkippableError as err:
        return [Rejected(str(err))] * len(ops)


def _record(lane: Lane, op_id: int, op: Operation, outcome: Outcome, result: ApplyResult) -> None:
    now = lane.clock.now()
    if isinstance(outcome, Rejected):
        journal.mark_outcome(lane.session, op_id, journal.FAILED, now, error=outcome.error)
        result.failed += 1
        log.warning("operation_failed", operation=op.KIND.value, key=op.key)
        return
    if _needs_id(op) and not outcome.remote_id:
        error = "the LMS answered without the id of what it created"
        journal.mark_outcome(lane.session, op_id, journal.FAILED, now, error=error)
        result.failed += 1
        return
    _update_links(lane, op, outcome.remote_id)
    journal.mark_outcome(lane.session, op_id, journal.DONE, now, remote_id=outcome.remote_id)
    result.done += 1


def _needs_id(op: Operation) -> bool:
    return isinstance(op, CreateUser | CreateGroup)


def _update_links(lane: Lane, op: Operation, remote_id: RemoteId | None) -> None:
    """What an applied operation changes in the links: created, adopted, managed, or gone."""
    match op:
        case Adopt():
            _link(lane, op.kind_, op.hr_key, op.remote_id, "adopted")
        case CreateUser():
            _link(lane, LinkKind.USER, op.person.employee_id, remote_id, "created")
        case CreateGroup():
            kind = LinkKind.of_group(op.group.ref.kind)
            _link(lane, kind, op.group.ref.code, remote_id, "created")
        case DeleteGroup():
            _unlink(lane, LinkKind.of_group(op.ref.kind), op.ref.code)
        case DeleteUser():  # the account, its memberships and enrollments are gone
            drop_links_of_user(lane.session, lane.target, op.employee_id)
            lane.refs.forget_user(op.employee_id)
        case AddMember():
            _link(lane, LinkKind.MEMBERSHIP, op.key, remote_id, "created")
        case Enroll():
            _link(lane, LinkKind.ENROLLMENT, op.key, remote_id, "created")
        case RemoveMember():
            _unlink(lane, LinkKind.MEMBERSHIP, op.key)
        case Unenroll():
            _unlink(lane, LinkKind.ENROLLMENT, op.key)
        case _:
            pass  # updates, moves and status changes keep their links


def _link(lane: Lane, kind: LinkKind, key: str, remote_id: RemoteId | None, origin: str) -> None:
    rid = remote_id or RemoteId("")
    put_link(lane.session, lane.target, kind, key, rid, origin=origin, now=lane.clock.now())
    lane.refs.remember(kind, key, rid)


def _unlink(lane: Lane, kind: LinkKind, key: str) -> None:
    drop_link(lane.session, lane.target, kind, key)
    lane.refs.forget(kind, key)


def _fail(lane: Lane, batch: list[Step], error: str, result: ApplyResult) -> None:
    now = lane.clock.now()
    for op_id, _ in batch:
        journal.mark_outcome(lane.session, op_id, journal.FAILED, now, error=error)
    result.failed += len(batch)
    lane.session.commit()


def _skip_rest(lane: Lane, batches: list[list[Step]], reason: str, result: ApplyResult) -> None:
    now = lane.clock.now()
    for batch in batches:
        for op_id, _ in batch:
            journal.mark_outcome(lane.session, op_id, journal.SKIPPED, now, error=reason)
            result.skipped += 1
    lane.session.commit()
