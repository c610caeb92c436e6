"""Dokeos writes: each operation family as Dokeos's calls, one Outcome per operation.

`DokeosConnector.apply` hands a `Writer` the operations of one kind. Synchronous calls
answer Applied; asynchronous ones (learners, participations, user deletion) answer
Pending with Dokeos's job id. A lookup that fails (SkippableError from the refs) rejects
that operation only; a request Dokeos refuses as a whole rejects every operation it
carried, with Dokeos's words; FatalError and RetriableError propagate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from syncd.connectors.base import RemoteRefs
from syncd.connectors.dokeos import mapping
from syncd.connectors.dokeos.client import GROUPS, PARTICIPATIONS, USER, USERS, DokeosClient
from syncd.connectors.http import OutcomeUnknownError, RequestRefusedError
from syncd.connectors.outcomes import Outcomes, each, refusal, resolve, send_guarded
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    CreateUser,
    DeactivateUser,
    DeleteGroup,
    DeleteUser,
    Enroll,
    MoveGroup,
    Operation,
    Outcome,
    Pending,
    ReactivateUser,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateGroup,
    UpdateUser,
)
from syncd.records import CourseCode, EmployeeId, GroupRef, MemberRole, Person, RemoteId

FILTER_LIMIT = 5  # ids per `user_ids` / `training_ids` filter of GET /participations
FLAT = "Dokeos groups are flat: a group has no parent to move to"

T = TypeVar("T")
V = TypeVar("V")
Pair = tuple[RemoteId, RemoteId]  # (user id, training id): one participation


# --- participations by (user, training), within Dokeos's 5-id filters ----------------------


@dataclass(frozen=True, slots=True)
class Filter:
    """One `GET /participations` filter: at most FILTER_LIMIT ids on each side."""

    user_ids: tuple[RemoteId, ...]
    training_ids: tuple[RemoteId, ...]

    def params(self) -> dict[str, str]:
        return {"user_ids": ",".join(self.user_ids), "training_ids": ",".join(self.training_ids)}


def filters(pairs: Iterable[Pair], limit: int = FILTER_LIMIT) -> list[Filter]:
    """Filters of at most `limit` ids a side whose products cover every pair: the trainings
    in chunks, then the users of each chunk in chunks (ids are Dokeos's, as digits)."""
    by_training: dict[RemoteId, set[RemoteId]] = {}
    for user_id, training_id in pairs:
        by_training.setdefault(training_id, set()).add(user_id)
    found: list[Filter] = []
    for trainings in _chunks(sorted(by_training, key=int), limit):
        users: set[RemoteId] = set().union(*(by_training[t] for t in trainings))
        found += [Filter(chunk, trainings) for chunk in _chunks(sorted(users, key=int), limit)]
    return found


def participation_ids(client: DokeosClient, pairs: Iterable[Pair]) -> dict[Pair, list[RemoteId]]:
    """The ids of the participations of `pairs`, read through `filters`; a pair Dokeos has
    no participation for is absent."""
    wanted = set(pairs)
    found: dict[Pair, list[RemoteId]] = {}
    for chunk in filters(wanted):
        for item in client.pages(PARTICIPATIONS, chunk.params()):
            key = mapping.participation_key(item)
            if key in wanted:
                found.setdefault(key, []).append(mapping.remote_id(item.get("id")))
    return found


def _chunks(items: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    for start in range(0, len(items), size):
        yield tuple(items[start : start + size])


class Writer:
    """Dokeos's calls for each operation kind, with the engine's refs and the configured courses."""

    def __init__(self, client: DokeosClient, refs: RemoteRefs, courses: Mapping[str, str]) -> None:
        self._client = client
        self._refs = refs
        self._courses = courses

    # --- users ---------------------------------------------------------------------------

    def create_user(self, op: CreateUser) -> Outcome:
        send = partial(self._client.send, "POST", USERS, mapping.new_user(op.person))
        return _create(send, partial(self._find_user, op.person))

    def update_user(self, op: UpdateUser) -> Outcome:
        path = f"{USERS}/{self._user_id(op.person.employee_id)}"
        self._client.send("PUT", path, mapping.user_fields(op.person))
        return Applied()

    def deactivate_user(self, op: DeactivateUser) -> Outcome:
        return self._set_active(op.employee_id, active=False)

    def reactivate_user(self, op: ReactivateUser) -> Outcome:
        return self._set_active(op.employee_id, active=True)

    def _set_active(self, employee_id: EmployeeId, *, active: bool) -> Outcome:
        self._client.send("PUT", f"{USERS}/{self._user_id(employee_id)}", {"active": active})
        return Applied()

    def delete_user(self, op: DeleteUser) -> Outcome:
        body = _delete(self._client, f"{USER}/{self._user_id(op.employee_id)}")
        return Applied() if body is None else Pending(mapping.job_id(body))

    def _user_id(self, employee_id: EmployeeId) -> int:
        return mapping.dokeos_id(self._refs.user(employee_id))

    def _find_user(self, person: Person) -> RemoteId | None:
        """The account Dokeos holds for `person`: by external id, then by username."""
        for key, value in (("external_id", person.employee_id), ("username", person.username)):
            items = self._client.pages(USERS, {key: value})
            found = next((i for i in items if _same(i, key, value)), None)
            if found is not None:
                return mapping.remote_id(found.get("id"))
        return None

    # --- groups --------------------------------------------------------------------------

    def create_group(self, op: CreateGroup) -> Outcome:
        ref = op.group.ref
        send = partial(self._client.send, "POST", GROUPS, mapping.new_group(ref, op.group.name))
        return _create(send, partial(self._group_by_code, mapping.group_code(ref)))

    def rename_group(self, op: UpdateGroup) -> Outcome:
        self._client.send("PUT", self._group_path(op.group.ref), {"name": op.group.name})
        return Applied()

    def delete_group(self, op: DeleteGroup) -> Outcome:
        _delete(self._client, self._group_path(op.ref))
        return Applied()

    @staticmethod
    def move_group(_: MoveGroup) -> Outcome:
        return Rejected(FLAT)

    def _group_path(self, ref: GroupRef) -> str:
        return f"{GROUPS}/{mapping.dokeos_id(self._refs.group(ref))}"

    def _group_by_code(self, code: str) -> RemoteId | None:
        found = next((i for i in self._client.pages(GROUPS) if _same(i, "code", code)), None)
        return None if found is None else mapping.remote_id(found.get("id"))

    # --- learners, managers and participations ---------------------------------------------

    def edit_members(self, ops: Sequence[AddMember | RemoveMember]) -> list[Outcome]:
        """One `PUT /groups/:id` per group for all of its operations, additions and removals
        of learners and managers (a batch `member_edits` gives); its job is every op's."""
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, self._member)
        for group_id, edits in _by_key(rows).items():
            send_guarded(outcomes, edits, partial(self._put_members, group_id))
        return outcomes.done()

    def _member(self, op: AddMember | RemoveMember) -> tuple[RemoteId, tuple[str, RemoteId]]:
        group_id, user_id = self._refs.group(op.group), self._refs.user(op.employee_id)
        _check_ids(group_id, user_id)
        return group_id, (_body_key(op), user_id)

    def _put_members(self, group_id: RemoteId, edits: list[tuple[str, RemoteId]]) -> list[Outcome]:
        body: dict[str, list[int]] = {}
        for key, user_id in edits:
            body.setdefault(key, []).append(mapping.dokeos_id(user_id))
        answer = self._client.send("PUT", f"{GROUPS}/{mapping.dokeos_id(group_id)}", body)
        return [Pending(mapping.job_id(answer))] * len(edits)

    def enroll(self, op: Enroll) -> Outcome:
        user_id, training_id = self._pair(op)
        body = {"user_id": int(user_id), "training_id": int(training_id)}  # checked by _pair
        # Safe to resend after a lost answer: a participation that exists makes the job succeed.
        answer = self._client.send("POST", PARTICIPATIONS, body, idempotent=True)
        return Pending(mapping.job_id(answer))

    def unenroll(self, ops: Sequence[Unenroll]) -> list[Outcome]:
        """The participations of every pair in a few filtered reads, then one DELETE each."""
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, self._pair)
        try:
            found = participation_ids(self._client, [pair for _, pair in rows])
        except SkippableError as err:
            outcomes.reject((index for index, _ in rows), refusal(err))
            return outcomes.done()
        each(outcomes, [(index, found.get(pair, [])) for index, pair in rows], self._end)
        return outcomes.done()

    def _end(self, participations: list[RemoteId]) -> Outcome:
        """Delete one pair's participations; with none left it is already done."""
        outcome: Outcome = Applied()
        for participation in participations:
            body = _delete(self._client, f"{PARTICIPATIONS}/{mapping.dokeos_id(participation)}")
            outcome = outcome if body is None else Pending(mapping.job_id(body))
        return outcome

    def _pair(self, op: Enroll | Unenroll) -> Pair:
        user_id, training_id = self._refs.user(op.employee_id), self._course(op.course_code)
        _check_ids(user_id, training_id)
        return user_id, training_id

    def _course(self, code: CourseCode) -> RemoteId:
        configured = self._courses.get(code)
        return RemoteId(configured) if configured else self._refs.course(code)


# --- helpers -------------------------------------------------------------------------------


def _create(send: Callable[[], Any], find: Callable[[], RemoteId | None]) -> Outcome:
    """Create, adopting what already exists when the answer was lost (a resend would make a
    second one) or Dokeos refused it as taken (422); else the error stands."""
    try:
        return Applied(mapping.created_id(send()))
    except (OutcomeUnknownError, RequestRefusedError) as err:
        taken = isinstance(err, OutcomeUnknownError) or err.status == 422
        found = find() if taken else None
        if found is None:
            raise
        return Applied(found)


def _delete(client: DokeosClient, path: str) -> Any:
    """DELETE `path` and its answer ({} if empty); None when it was already gone (404)."""
    try:
        return client.send("DELETE", path) or {}
    except RequestRefusedError as err:
        if err.status == 404:
            return None
        raise


def _by_key(rows: Sequence[tuple[int, tuple[T, V]]]) -> dict[T, list[tuple[int, V]]]:
    grouped: dict[T, list[tuple[int, V]]] = {}
    for index, (key, value) in rows:
        grouped.setdefault(key, []).append((index, value))
    return grouped


def _check_ids(*ids: RemoteId) -> None:
    """SkippableError now, for this one operation, if a link holds something not a Dokeos id."""
    for value in ids:
        mapping.dokeos_id(value)


def _same(item: Mapping[str, Any], key: str, wanted: str) -> bool:
    """Whether an item found holds the value looked for (Dokeos's filters are trusted no
    further): usernames and group codes ignoring case, as Dokeos keeps them unique; an
    external id exactly."""
    found = item.get(key)
    if not isinstance(found, str):
        return False
    return found == wanted if key == "external_id" else found.casefold() == wanted.casefold()


def member_edits(batch: Sequence[Operation]) -> list[AddMember | RemoveMember]:
    """The batch as the engine packs members for Dokeos (`edits_group_members`): additions,
    then removals from groups the batch adds to (or removals alone), never one membership
    both added and removed (Dokeos refuses one id in both lists: 422). Any other shape is a
    TypeError."""
    leading = next((i for i, op in enumerate(batch) if not isinstance(op, AddMember)), len(batch))
    adds = [op for op in batch[:leading] if isinstance(op, AddMember)]
    removes = [op for op in batch[leading:] if isinstance(op, RemoveMember)]
    groups, added = {op.group for op in adds}, {op.key for op in adds}
    fits = not adds or all(op.group in groups and op.key not in added for op in removes)
    if len(adds) + len(removes) != len(batch) or not fits:
        named = type(batch[0]).__name__ if batch else "nothing"
        raise TypeError(f"apply takes operations of one kind; this batch mixes {named}")
    return [*adds, *removes]


def _body_key(op: AddMember | RemoveMember) -> str:
    """The `PUT /groups/:id` body key that carries `op`: `add_learner_ids`..."""
    verb = "add" if isinstance(op, AddMember) else "remove"
    noun = "manager_ids" if op.role is MemberRole.MANAGER else "learner_ids"
    return f"{verb}_{noun}"
