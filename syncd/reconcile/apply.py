"""Apply: the only writer. Runs a recorded plan through one target's connector, one batch at a time.

Journal before send: each batch is marked `sent` (and committed, durably) before its
request, and its outcome after. How steps are packed into batches is `batching.py`. A
request refused whole fails its batch and the lane goes on; a target-level
error (auth, LMS down) stops the lane and skips the rest; a shutdown request
stops after the request in flight.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from syncd.clock import Clock
from syncd.connectors.base import Connector
from syncd.errors import FatalError, RetriableError, ShutdownRequestedError, SkippableError
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    Enroll,
    Operation,
    Outcome,
    Pending,
    Rejected,
    RemoveMember,
    Unconfirmed,
    Unenroll,
)
from syncd.reconcile.batching import Step, batches
from syncd.reconcile.effects import ADDITIVE, CREATES, record_effect
from syncd.reconcile.progress import Tally
from syncd.reconcile.refs import LiveRefs
from syncd.records import RemoteId
from syncd.statuses import RunStatus
from syncd.store import Session, durable_unit_of_work, jobs, journal, unit_of_work
from syncd.store.journal import OpStatus
from syncd.store.links import LinkChanges, write_links

log = structlog.get_logger()


@dataclass(slots=True)
class Lane:
    session: Session
    target: str
    run_id: int
    connector: Connector
    refs: LiveRefs
    clock: Clock
    shutdown: threading.Event


@dataclass(slots=True)
class ApplyResult:
    status: RunStatus = RunStatus.OK  # ok | partial | failed | interrupted | planned
    message: str | None = None
    done: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: int = 0
    unconfirmed: int = 0  # answered 2xx in words syncd cannot read: the next read settles them


def apply_plan(lane: Lane, steps: Sequence[Step], tally: Tally | None = None) -> ApplyResult:
    """The steps applied batch by batch; `tally` counts the operations worked through."""
    tally = tally or Tally(lane.target, "apply", planned=len(steps))
    result = ApplyResult()
    packed = list(batches(steps, lane.connector))
    for index, planned in enumerate(packed):
        if lane.shutdown.is_set():
            _skip_rest(lane, packed[index:], "not sent: syncd was asked to stop", result)
            result.status, result.message = RunStatus.INTERRUPTED, "stopped on request"
            break
        batch = _send_now(lane, planned, result)
        tally.worked(len(planned) - len(batch))  # those held back are done with
        if not batch:
            continue
        try:
            _run_batch(lane, batch, result)
            tally.worked(len(batch))
        except (FatalError, RetriableError) as err:
            _fail(lane, batch, str(err), result)
            _skip_rest(lane, packed[index + 1 :], f"not sent: target stopped: {err}", result)
            result.status, result.message = RunStatus.FAILED, str(err)
            break
        except ShutdownRequestedError as err:  # a wait in the batch (a retry) was cut short
            why = f"cut short: {err}; the next read settles it"
            _close(lane, batch, OpStatus.UNCONFIRMED, why)
            _skip_rest(lane, packed[index + 1 :], "not sent: syncd was asked to stop", result)
            result.status, result.message = RunStatus.INTERRUPTED, "stopped on request"
            break
    if result.status == RunStatus.OK and result.failed:
        result.status = RunStatus.PARTIAL
    return result


AWAITED = (
    "not sent: the person's account is still being created (a job in progress); "
    "the next cycle sends it"
)


def _send_now(lane: Lane, batch: list[Step], result: ApplyResult) -> list[Step]:
    """The batch less the steps for people whose account a job is still creating (a user
    import): those are skipped with a reason, and the next cycle, which reads the account,
    plans them again."""
    held = [step for step in batch if _awaited(lane.refs, step[1])]
    if not held:
        return batch
    _close(lane, held, OpStatus.SKIPPED, AWAITED)
    result.skipped += len(held)
    skipped = {seq for seq, _ in held}
    return [step for step in batch if step[0] not in skipped]


def _awaited(refs: LiveRefs, op: Operation) -> bool:
    match op:
        case AddMember() | RemoveMember() | Enroll() | Unenroll():
            return refs.awaited(op.employee_id)
        case _:
            return False


@dataclass(slots=True)
class _Books:
    """What one batch's outcomes change in the journal, the links and the job table."""

    now: dt.datetime
    statuses: list[journal.StatusChange] = field(default_factory=list)
    links: LinkChanges = field(default_factory=LinkChanges)
    waiting: list[jobs.Waiting] = field(default_factory=list)

    def write(self, lane: Lane) -> None:
        lifetime = lane.connector.capabilities.job_lifetime
        with unit_of_work(lane.session) as session:
            journal.record_statuses(session, lane.run_id, self.statuses)
            write_links(session, lane.target, self.links, self.now)
            jobs.add_waiting(
                session, lane.target, lane.run_id, self.waiting, now=self.now, lifetime=lifetime
            )
        lane.refs.absorb(self.links)


def _run_batch(lane: Lane, batch: list[Step], result: ApplyResult) -> None:
    with durable_unit_of_work(lane.session) as session:  # journal before send
        journal.mark_sent(session, lane.run_id, [seq for seq, _ in batch], lane.clock.now())
    if isinstance(batch[0][1], Adopt):
        outcomes: list[Outcome] = [Applied(op.remote_id) for _, op in batch]  # type: ignore[union-attr]
    else:
        outcomes = _send(lane, [op for _, op in batch])
    books = _Books(lane.clock.now())
    for step, outcome in zip(batch, outcomes, strict=True):
        _record(books, step, outcome, result)
    books.write(lane)
    log.info("batch_applied", kind=batch[0][1].KIND.value, size=len(batch))


def _send(lane: Lane, ops: list[Operation]) -> list[Outcome]:
    try:
        return lane.connector.apply(ops, lane.refs)
    except SkippableError as err:
        return [Rejected(str(err))] * len(ops)


def _record(books: _Books, step: Step, outcome: Outcome, result: ApplyResult) -> None:
    seq, op = step
    match outcome:
        case Rejected():
            _failed(books, step, outcome.error, result)
        case Applied() if _needs_id(op) and not outcome.remote_id:
            _failed(books, step, "the LMS answered without the id of what it created", result)
        case Applied():
            _link(books.links, op, outcome.remote_id)
            done = OpStatus.DONE
            books.statuses.append(
                journal.StatusChange(seq, done, books.now, remote_id=outcome.remote_id)
            )
            result.done += 1
        case Pending():
            if op.KIND in ADDITIVE:
                _link(books.links, op, outcome.remote_id)
            waiting = jobs.Waiting(seq, op, outcome.job_id, outcome.remote_id, outcome.item)
            books.waiting.append(waiting)
            result.waiting += 1
        case Unconfirmed():
            _unconfirmed(books, step, outcome, result)


def _unconfirmed(books: _Books, step: Step, outcome: Unconfirmed, result: ApplyResult) -> None:
    """Like a pending job, an additive operation reserves its link (a create only with the
    id of what it made: without one, the next read adopts the account by its natural key);
    a removal takes effect only once a read confirms it (`confirm.py`)."""
    seq, op = step
    if op.KIND in ADDITIVE and (outcome.remote_id or not _needs_id(op)):
        _link(books.links, op, outcome.remote_id)
    status, remote_id = OpStatus.UNCONFIRMED, outcome.remote_id
    books.statuses.append(journal.StatusChange(seq, status, books.now, outcome.reason, remote_id))
    result.unconfirmed += 1
    log.info("operation_unconfirmed", operation=op.KIND.value, key=str(op.key))


def _failed(books: _Books, step: Step, error: str, result: ApplyResult) -> None:
    seq, op = step
    books.statuses.append(journal.StatusChange(seq, OpStatus.FAILED, books.now, error=error))
    result.failed += 1
    log.warning("operation_failed", operation=op.KIND.value, key=str(op.key))


def _needs_id(op: Operation) -> bool:
    return op.KIND in CREATES


def _link(links: LinkChanges, op: Operation, remote_id: RemoteId | None) -> None:
    if isinstance(op, Adopt):
        links.put(op.key, op.remote_id, origin="adopted")
    else:
        record_effect(op.KIND, op.key, remote_id, links)


def _fail(lane: Lane, batch: list[Step], error: str, result: ApplyResult) -> None:
    _close(lane, batch, OpStatus.FAILED, error)
    result.failed += len(batch)


def _skip_rest(lane: Lane, batches: list[list[Step]], reason: str, result: ApplyResult) -> None:
    steps = [step for batch in batches for step in batch]
    _close(lane, steps, OpStatus.SKIPPED, reason)
    result.skipped += len(steps)


def _close(lane: Lane, steps: list[Step], status: OpStatus, reason: str) -> None:
    now = lane.clock.now()
    changes = [journal.StatusChange(seq, status, now, error=reason) for seq, _ in steps]
    with unit_of_work(lane.session) as session:
        journal.record_statuses(session, lane.run_id, changes)
