"""Per-operation outcomes of one batch, and the client settings every connector derives.

A connector's `apply` matches the first operation of a batch to its kind's writer
(`same_kind` narrows the batch to that kind; `adopted` and `refused` answer the kinds
never sent). A writer fills one slot per operation as lookups fail and requests answer; a
SkippableError rejects just the operation (or request) it concerns, with the LMS's own
words. Shared by every connector family; none imports another.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from syncd.connectors.http import RequestRefusedError
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    Adopt,
    Applied,
    CreateUser,
    DeactivateUser,
    Enroll,
    Operation,
    OpKind,
    Outcome,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unconfirmed,
    UpdateUser,
)
from syncd.records import EmployeeId, GroupKind, MemberRole

if TYPE_CHECKING:
    import httpx

    from syncd.clock import Clock
    from syncd.connectors.base import ConnectorContext, CreateCarries

T = TypeVar("T")
OpT = TypeVar("OpT")
KindT = TypeVar("KindT", bound=Operation)


class Outcomes:
    """One slot per operation of a batch, filled as lookups fail and requests answer."""

    def __init__(self, size: int) -> None:
        self._slots: list[Outcome | None] = [None] * size

    def set(self, index: int, outcome: Outcome) -> None:
        self._slots[index] = outcome

    def get(self, index: int) -> Outcome | None:
        """The outcome filled in so far (None: not yet)."""
        return self._slots[index]

    def reject(self, indexes: Iterable[int], error: str) -> None:
        for index in indexes:
            self._slots[index] = Rejected(error)

    def done(self) -> list[Outcome]:
        return [slot or Rejected("no request carried this operation") for slot in self._slots]


UNREAD = "the LMS answered 2xx without saying this was done; the next read confirms it"


@dataclass(frozen=True, slots=True)
class WriteAnswer:
    """What a 2xx answer to a write says, as far as its connector can read it: the ids it
    lists as done (None: it lists none), its error lines, its overall success flag."""

    done: frozenset[str] | None = None
    errors: tuple[str, ...] = ()
    success: bool | None = None


def answer_outcome(answer: WriteAnswer, item: str) -> Outcome:
    """How every connector reads a 2xx answer for one item: listed as done, or a plain
    success (`{"success": true}`), is done; an error line naming it, a plain failure, or a
    list of what was done that leaves it out beside error lines, is refused with those
    words; anything else (a shape syncd does not read, a list that leaves the item out
    without a word) is Unconfirmed, for the next read to settle."""
    if answer.done is not None and item in answer.done:
        return Applied()
    named = _naming(answer.errors, item)
    if named is not None:
        return Rejected(named)
    if answer.success is True and answer.done is None:
        return Applied()
    if answer.success is False or (answer.done is not None and answer.errors):
        return Rejected("; ".join(answer.errors) or "the LMS said the write failed")
    return Unconfirmed(UNREAD)


def _naming(lines: Sequence[str], item: str) -> str | None:
    """The first error line that names `item` as a whole word."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(item)}(?![\w-])")
    return next((line for line in lines if pattern.search(line)), None)


def refusal(err: SkippableError) -> str:
    """The words a Rejected carries: the LMS's own for a refused request, else the lookup's."""
    if isinstance(err, RequestRefusedError):
        return f"{err.detail} (HTTP {err.status})"
    return str(err)


def send_guarded(
    outcomes: Outcomes, rows: Sequence[tuple[int, T]], send: Callable[[list[T]], list[Outcome]]
) -> None:
    """Send the rows' payloads in one request; a refusal rejects every row it carried."""
    indexes = [index for index, _ in rows]
    try:
        answers = send([payload for _, payload in rows])
    except SkippableError as err:
        outcomes.reject(indexes, refusal(err))
        return
    for index, answer in zip(indexes, answers, strict=True):
        outcomes.set(index, answer)


def resolve(
    items: Sequence[OpT], outcomes: Outcomes, lookup: Callable[[OpT], T]
) -> list[tuple[int, T]]:
    """`lookup` of each item by index; one that raises SkippableError is rejected."""
    found: list[tuple[int, T]] = []
    for index, item in enumerate(items):
        try:
            found.append((index, lookup(item)))
        except SkippableError as err:
            outcomes.set(index, Rejected(refusal(err)))
    return found


def each(outcomes: Outcomes, rows: Sequence[tuple[int, T]], write: Callable[[T], Outcome]) -> None:
    """`write` each row's payload; a refusal rejects that row only."""
    for index, payload in rows:
        try:
            outcomes.set(index, write(payload))
        except SkippableError as err:
            outcomes.set(index, Rejected(refusal(err)))


def one_by_one(ops: Sequence[OpT], write: Callable[[OpT], Outcome]) -> list[Outcome]:
    """One request (or a few) per operation; a refusal rejects that operation only."""
    outcomes = Outcomes(len(ops))
    each(outcomes, list(enumerate(ops)), write)
    return outcomes.done()


def same_kind(batch: Sequence[Operation], first: KindT) -> list[KindT]:
    """The batch as operations of its `first` one's class, for that kind's writer: the
    engine sends one kind per batch, and a batch that mixes kinds is a TypeError."""
    kind = type(first)
    ops: list[KindT] = [op for op in batch if isinstance(op, kind)]
    if len(ops) != len(batch):
        raise TypeError(f"apply takes operations of one kind; this batch mixes {kind.__name__}")
    return ops


Carried = AddMember | Enroll


def carried_batch(
    batch: Sequence[Operation], carries: CreateCarries
) -> tuple[list[CreateUser], list[Carried]]:
    """A batch of user creates and what they carry, as the engine packs it (`CreateCarries`):
    creates first, then learner memberships of the carried kinds and enrollments of people
    created in it, within the per-person counts. Any other shape is a TypeError."""
    creates: list[CreateUser] = []
    created: set[EmployeeId] = set()  # a set: batches of thousands are checked in one pass
    riders: list[Carried] = []
    counts: Counter[tuple[EmployeeId, OpKind]] = Counter()
    for op in batch:
        if isinstance(op, CreateUser) and not riders:
            creates.append(op)
            created.add(op.person.employee_id)
        elif isinstance(op, AddMember | Enroll) and _carriable(op, carries, created):
            counts[op.employee_id, op.KIND] += 1
            if counts[op.employee_id, op.KIND] > _count(op, carries):
                raise TypeError(f"apply takes operations of one kind; too many like {op!r}")
            riders.append(op)
        else:
            raise TypeError(f"apply takes operations of one kind; a create does not carry {op!r}")
    return creates, riders


UserRow = CreateUser | UpdateUser | ReactivateUser | DeactivateUser


def upserted_batch(
    batch: Sequence[Operation], carries: CreateCarries
) -> tuple[list[UserRow], list[Carried]]:
    """A batch of user rows (`Capabilities.upserts_users`: creates and updates, and where
    `status_in_user_rows`, (de)activations) and what the creates carry, as the engine
    packs it: the user operations first, then the riders of `carried_batch`. Any other
    shape is a TypeError."""
    users: list[UserRow] = []
    for op in batch:
        if not isinstance(op, UserRow):
            break
        users.append(op)
    late = batch[len(users) :]
    if any(isinstance(op, UserRow) and not isinstance(op, CreateUser) for op in late):
        raise TypeError("apply takes operations of one kind; an update came after a rider")
    if _status_of_a_row(users):
        raise TypeError("apply takes operations of one kind; a status change joins another row")
    plain = [op for op in batch if isinstance(op, CreateUser) or not isinstance(op, UserRow)]
    _, riders = carried_batch(plain, carries)
    return users, riders


def _status_of_a_row(users: Sequence[UserRow]) -> bool:
    """Whether a (de)activation concerns a person another row of the batch creates or
    updates: the engine packs a status change only for someone with no other step."""
    written = {op.person.employee_id for op in users if isinstance(op, CreateUser | UpdateUser)}
    return any(
        isinstance(op, ReactivateUser | DeactivateUser) and op.employee_id in written
        for op in users
    )


def _carriable(op: Carried, carries: CreateCarries, created: set[EmployeeId]) -> bool:
    if op.employee_id not in created:
        return False
    if isinstance(op, AddMember):
        return op.role is MemberRole.LEARNER and op.group.kind in carries.member_kinds
    return True


def _count(op: Carried, carries: CreateCarries) -> int:
    return carries.members if isinstance(op, AddMember) else carries.enrollments


def moved_batch(
    batch: Sequence[Operation], kinds: frozenset[GroupKind]
) -> tuple[list[AddMember], list[RemoveMember]]:
    """A batch of member additions and the removals that make some of them moves, as the
    engine packs it (`Capabilities.moves_members`): the additions first, then at most one
    learner removal of the same group kind per person added. Any other shape is a TypeError."""
    adds = [op for op in batch if isinstance(op, AddMember)]
    removes = [op for op in batch[len(adds) :] if isinstance(op, RemoveMember)]
    added = {(op.employee_id, op.group.kind) for op in adds if op.role is MemberRole.LEARNER}
    paired = [(op.employee_id, op.group.kind) for op in removes]
    shaped = len(adds) + len(removes) == len(batch) and len(set(paired)) == len(paired)
    fits = all(op.role is MemberRole.LEARNER and op.group.kind in kinds for op in removes)
    if not (adds and shaped and fits and set(paired) <= added):
        raise TypeError("apply takes operations of one kind; this batch mixes AddMember")
    return adds, removes


def adopted(ops: Sequence[Adopt]) -> list[Outcome]:
    """`Adopt` is the engine's (it links an account the LMS already had): answered Applied
    with that account's id, never sent."""
    return [Applied(op.remote_id) for op in ops]


def refused(ops: Sequence[Operation], error: str) -> list[Outcome]:
    """A kind the LMS's API cannot do, every operation Rejected with `error`. The engine
    never plans it (it is not in the connector's `supports`; the contract suite checks
    every supported kind)."""
    return [Rejected(error)] * len(ops)


class PagedTarget(Protocol):
    """What `ClientSettings.of` reads of a target: every LMS's model has these."""

    @property
    def base_url(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...
    @property
    def max_attempts(self) -> int: ...
    @property
    def page_size(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Everything an LMS client needs besides its credentials."""

    base_url: str
    clock: Clock
    timeout: float
    max_attempts: int
    page_size: int
    transport: httpx.BaseTransport | None = None
    guard: Callable[[], None] | None = None  # before every write request (ConnectorContext)

    @classmethod
    def of(cls, target: PagedTarget, ctx: ConnectorContext) -> ClientSettings:
        return cls(
            target.base_url,
            ctx.clock,
            target.timeout_seconds,
            target.max_attempts,
            target.page_size,
            ctx.transport,
            ctx.guard,
        )
