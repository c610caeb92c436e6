"""Apply: the only writer. Runs a recorded plan through one target's connector, one batch at a time.

Journal before send: each batch is marked `sent` (and committed, durably) before its
request, and its outcome after. Consecutive operations of one kind are packed
up to the connector's batch size (user creates and updates together where the
connector upserts); a batch of user creates also carries the new
people's memberships and enrollments the connector's `create_carries` allows,
and one of member additions the removals that make them moves, or, where one request
edits a group's members whole, the group's removals (`carry.py`); where the connector
writes users as rows (`user_rows`), batches of people take every user write and what
each person's row carries. A
request refused whole fails its batch and the lane goes on; a target-level
error (auth, LMS down) stops the lane and skips the rest; a shutdown request
stops after the request in flight.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby

import structlog

from syncd.clock import Clock
from syncd.connectors.base import Capabilities, Connector, EnrollScope
from syncd.errors import FatalError, RetriableError, ShutdownRequestedError, SkippableError
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateUser,
    Enroll,
    Operation,
    OpKind,
    Outcome,
    Pending,
    Rejected,
    RemoveMember,
    Unconfirmed,
    Unenroll,
    UpdateUser,
)
from syncd.reconcile.carry import (
    ROW_WRITES,
    carried_steps,
    group_removals,
    paired_removals,
    people_steps,
)
from syncd.reconcile.effects import ADDITIVE, CREATES, record_effect
from syncd.reconcile.refs import LiveRefs
from syncd.reconcile.status_rows import status_rows
from syncd.records import CourseCode, EmployeeId, GroupRef, MemberRole, RemoteId
from syncd.statuses import RunStatus
from syncd.store import Session, durable_unit_of_work, jobs, journal, unit_of_work
from syncd.store.journal import OpStatus
from syncd.store.links import LinkChanges, write_links

log = structlog.get_logger()
Step = tuple[int, Operation]  # (place in the plan, operation)
MEMBER_KINDS = frozenset({OpKind.ADD_MEMBER, OpKind.REMOVE_MEMBER})


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


def apply_plan(lane: Lane, steps: Sequence[Step]) -> ApplyResult:
    result = ApplyResult()
    batches = list(_batches(steps, lane.connector))
    for index, planned in enumerate(batches):
        if lane.shutdown.is_set():
            _skip_rest(lane, batches[index:], "not sent: syncd was asked to stop", result)
            result.status, result.message = RunStatus.INTERRUPTED, "stopped on request"
            break
        batch = _send_now(lane, planned, result)
        if not batch:
            continue
        try:
            _run_batch(lane, batch, result)
        except (FatalError, RetriableError) as err:
            _fail(lane, batch, str(err), result)
            _skip_rest(lane, batches[index + 1 :], f"not sent: target stopped: {err}", result)
            result.status, result.message = RunStatus.FAILED, str(err)
            break
        except ShutdownRequestedError as err:  # a wait in the batch (a retry) was cut short
            why = f"cut short: {err}; the next read settles it"
            _close(lane, batch, OpStatus.UNCONFIRMED, why)
            _skip_rest(lane, batches[index + 1 :], "not sent: syncd was asked to stop", result)
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


def _batches(steps: Sequence[Step], connector: Connector) -> Iterator[list[Step]]:
    """Runs of one kind, cut to the batch size, never straddling two groups or two courses
    (LMS endpoints add members to one group, or people to one course, per call); where the
    LMS enrolls one person in many courses per call, a run of enrollments is regrouped by
    person instead (the plan, and each operation's place in it, stay as reviewed), and where
    it removes one person from many groups per call, a run of removals is ordered by person
    and cut by size only; where one request edits a group's members whole, runs of members
    are cut group by group whatever the role; where user rows also set the active status,
    (de)activations may join them (`status_rows.py`). A batch of user creates also takes
    the steps its people's creates carry, and one of member additions the removals riding
    with them (`carry.py`), after them; where users are written as rows, the user writes
    and what each person's row carries go in batches of people instead (`_people_batches`)."""
    capabilities = connector.capabilities
    if capabilities.user_rows:
        rows = _people_batches(steps, capabilities)
        steps = _without(steps, [step for batch in rows for step in batch])
    else:
        rows = []
    carried = carried_steps(steps, capabilities.create_carries)
    rest = _without(steps, [step for riders in carried.values() for step in riders])
    moves = _removal_riders(rest, capabilities)
    rest = _without(rest, [step for riders in moves.values() for step in riders])
    rest, joined = status_rows(rest, capabilities)
    for kind, run in groupby(rest, key=lambda step: _run_kind(step, capabilities, joined)):
        items = list(run)
        while rows and _first(rows[0]) < items[0][0]:  # a batch of people, where it stands
            yield rows.pop(0)
        size = max(1, capabilities.batch_size(kind))
        for scoped in _scoped(items, capabilities):
            for start in range(0, len(scoped), size):
                yield _with_riders(scoped[start : start + size], carried, moves)
    yield from rows


def _first(batch: list[Step]) -> int:
    return min(seq for seq, _ in batch)


def _people_batches(steps: Sequence[Step], capabilities: Capabilities) -> list[list[Step]]:
    """Where users are written as rows (`Capabilities.user_rows`): batches of whole people,
    up to CreateUser's batch size in people, each person's user writes first (in plan
    order) then what their row carries; each batch keyed, for its place in the plan, by its
    first step (`carry.people_steps`)."""
    people = list(people_steps(steps, capabilities.create_carries).values())
    size = max(1, capabilities.batch_size(OpKind.CREATE_USER))
    batches: list[list[Step]] = []
    for start in range(0, len(people), size):
        chunk = [step for person in people[start : start + size] for step in person]
        writes = sorted((s for s in chunk if isinstance(s[1], ROW_WRITES)), key=_seq)
        riders = sorted((s for s in chunk if not isinstance(s[1], ROW_WRITES)), key=_seq)
        batches.append(writes + riders)
    return sorted(batches, key=_first)


def _seq(step: Step) -> int:
    return step[0]


def _removal_riders(steps: Sequence[Step], capabilities: Capabilities) -> dict[int, list[Step]]:
    """The RemoveMember steps that ride with an AddMember step, by that step's plan place:
    the removals that make additions moves, and where one request edits a group's members,
    each group's removals with its first addition."""
    moves = paired_removals(steps, capabilities.moves_members)
    riders = {seq: [step] for seq, step in moves.items()}
    if capabilities.edits_group_members:
        rest = _without(steps, list(moves.values()))
        for seq, steps_of_group in group_removals(rest).items():
            riders.setdefault(seq, []).extend(steps_of_group)
    return riders


def _scoped(run: list[Step], capabilities: Capabilities) -> list[list[Step]]:
    """A run of one kind cut by what one request can carry (see `_batches`)."""
    kind = run[0][1].KIND
    if kind in MEMBER_KINDS and capabilities.edits_group_members:
        groups: dict[GroupRef | None, list[Step]] = {}
        for step in run:
            groups.setdefault(_group_of(step[1]), []).append(step)
        return list(groups.values())
    if kind is OpKind.REMOVE_MEMBER and capabilities.removes_across_groups:
        return [sorted(run, key=lambda step: str(getattr(step[1], "employee_id", "")))]
    if kind is OpKind.ENROLL and capabilities.enroll_scope is EnrollScope.PERSON:
        people: dict[EmployeeId | None, list[Step]] = {}
        for step in run:
            person = step[1].employee_id if isinstance(step[1], Enroll) else None
            people.setdefault(person, []).append(step)
        return list(people.values())
    return [list(items) for _, items in groupby(run, key=lambda step: _scope(step[1]))]


def _run_kind(step: Step, capabilities: Capabilities, joined: set[int]) -> OpKind:
    """The kind a run shares (user updates count as creates where the LMS upserts, and so
    do the (de)activations that join the user rows, `status_rows`)."""
    seq, op = step
    if (op.KIND is OpKind.UPDATE_USER and capabilities.upserts_users) or seq in joined:
        return OpKind.CREATE_USER
    return op.KIND


def _without(steps: Sequence[Step], taken: list[Step]) -> list[Step]:
    seqs = {seq for seq, _ in taken}
    return [step for step in steps if step[0] not in seqs]


def _with_riders(
    batch: list[Step], carried: dict[EmployeeId, list[Step]], moves: dict[int, list[Step]]
) -> list[Step]:
    """A batch of creates (updates too, where the LMS upserts) followed by what their creates
    carry, or of member additions followed by the removals they pair with as moves; the
    riders in plan order."""
    match batch[0][1]:
        case CreateUser() | UpdateUser():
            people = [op.person.employee_id for _, op in batch if isinstance(op, CreateUser)]
            riders = [step for person in people for step in carried.get(person, ())]
        case AddMember():
            riders = [step for seq, _ in batch for step in moves.get(seq, ())]
        case _:
            riders = []
    return batch + sorted(riders, key=lambda step: step[0])


def _group_of(op: Operation) -> GroupRef | None:
    return op.group if isinstance(op, AddMember | RemoveMember) else None


def _scope(op: Operation) -> tuple[MemberRole, GroupRef] | CourseCode | None:
    match op:
        case AddMember() | RemoveMember():
            return op.role, op.group
        case Enroll() | Unenroll():
            return op.course_code
        case _:
            return None


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
