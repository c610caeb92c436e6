"""Docebo writes: each operation family as Docebo's calls, one Outcome per operation.

Accounts are `user_writes.py`'s; here groups, branches (created and deleted in bulk,
`branch_batch.py`), memberships (a branch move as one `move_to_branch` where that loses
nothing, `moves.py`) and enrollments.

`DoceboConnector.apply` hands a `Writer` the operations of one kind. A lookup
that fails (SkippableError from the refs) rejects that operation only; a request
Docebo refuses as a whole rejects every operation it carried, with Docebo's words;
FatalError and RetriableError propagate. Requests go strictly one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from syncd.connectors.base import RemoteRefs
from syncd.connectors.docebo import answers, mapping
from syncd.connectors.docebo.branch_batch import BranchBatch, BranchIds, by_kind
from syncd.connectors.docebo.client import (
    ASSIGN_USERS,
    ENROLLMENTS,
    GROUPS,
    MOVE_TO_BRANCH,
    ORGCHART,
    REMOVE_FROM_BRANCH,
    DoceboClient,
)
from syncd.connectors.docebo.moves import BranchCounts, Move, moves
from syncd.connectors.docebo.user_writes import UserWrites, check_ids, ints
from syncd.connectors.http import OutcomeUnknownError, RequestRefusedError
from syncd.connectors.outcomes import Outcomes, one_by_one, resolve, send_guarded
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    Applied,
    CreateGroup,
    DeleteGroup,
    Enroll,
    MoveGroup,
    Outcome,
    Rejected,
    RemoveMember,
    Unenroll,
    UpdateGroup,
)
from syncd.records import CourseCode, GroupKind, GroupRef, RemoteId

BY_CODE = {"use_secondary_identifier": "true"}
STUDENT_LEVEL = 3

T = TypeVar("T")
Sender = Callable[[RemoteId, list[RemoteId]], list[Outcome]]


class Writer(UserWrites):
    """Docebo's calls for each operation kind, with the engine's refs, the configured courses,
    what the last read showed of who sits in how many branches, and whether the target lets
    Docebo email people (`notify`)."""

    def __init__(
        self,
        client: DoceboClient,
        refs: RemoteRefs,
        courses: Mapping[str, str],
        counts: BranchCounts,
        branch_ids: BranchIds,
        *,
        notify: bool = False,
    ) -> None:
        super().__init__(client, refs, notify=notify)
        self._courses = courses
        self._counts = counts
        self._branches = BranchBatch(client, refs, branch_ids)

    # --- groups and branches -------------------------------------------------------------

    def create_groups(self, ops: Sequence[CreateGroup]) -> list[Outcome]:
        """Branches through the branch batch, config groups one request each."""
        return by_kind(ops, self._branches.create, partial(one_by_one, write=self._create_group))

    def _create_group(self, op: CreateGroup) -> Outcome:
        send = partial(self._client.send, "POST", GROUPS, {"name": op.group.name})
        return _create(send, "group_id", partial(self._group_by_name, op.group.name))

    def rename_group(self, op: UpdateGroup) -> Outcome:
        ref, name = op.group.ref, op.group.name
        if ref.kind is GroupKind.ORG_UNIT:
            body = {"translations": {"english": name}}
            self._client.send("PUT", _branch_path(ref.code), body, params=BY_CODE)
        else:
            self._client.send("PUT", f"{GROUPS}/{self._group_id(ref)}", {"name": name})
        return Applied()

    def move_group(self, op: MoveGroup) -> Outcome:
        ref = op.group.ref
        if ref.kind is not GroupKind.ORG_UNIT:
            return Rejected("Docebo groups are flat: only branches move")
        body = {"id_new_parent": mapping.docebo_id(self._parent(op.group.parent))}
        path = f"{_branch_path(ref.code)}/move"
        self._client.send("POST", path, body, params=BY_CODE, idempotent=True)
        return Applied()

    def delete_groups(self, ops: Sequence[DeleteGroup]) -> list[Outcome]:
        """Branches through the branch batch, config groups one request each."""
        return by_kind(ops, self._branches.delete, partial(one_by_one, write=self._delete_group))

    def _delete_group(self, op: DeleteGroup) -> Outcome:
        try:
            self._client.send("DELETE", f"{GROUPS}/{self._group_id(op.ref)}", None)
        except RequestRefusedError as err:
            if err.status != 404:  # already gone is what a delete wants
                raise
        return Applied()

    def _parent(self, parent: GroupRef | None) -> RemoteId:
        return self._refs.group(parent) if parent else mapping.ROOT

    def _group_id(self, ref: GroupRef) -> int:
        return mapping.docebo_id(self._refs.group(ref))

    def _group_by_name(self, name: str) -> RemoteId | None:
        groups = map(mapping.group, self._client.pages(GROUPS, sort_attr="group_id"))
        found = next((group for group in groups if group.name == name), None)
        return None if found is None else found.remote_id

    # --- memberships and enrollments -----------------------------------------------------

    def add_members(
        self, adds: Sequence[AddMember], removes: Sequence[RemoveMember] = ()
    ) -> list[Outcome]:
        """Additions, then the removals the engine paired with them: a pair is one
        `move_to_branch` where that loses nothing (`moves.py`), else its own two calls."""
        pairs = self._moves(adds, removes)
        moved_adds, moved_removes = {m.add for m in pairs}, {m.remove for m in pairs}
        lone_adds = [i for i in range(len(adds)) if i not in moved_adds]
        lone_removes = [j for j in range(len(removes)) if j not in moved_removes]
        slots: dict[int, Outcome] = {}
        added = self._members([adds[i] for i in lone_adds], self._assign_to_branch, self._to_group)
        slots.update(zip(lone_adds, added, strict=True))
        removed = self.remove_members([removes[j] for j in lone_removes])
        slots.update(zip((len(adds) + j for j in lone_removes), removed, strict=True))
        for move, outcome in self._send_moves(pairs):
            slots[move.add] = slots[len(adds) + move.remove] = outcome
        return [slots[i] for i in range(len(adds) + len(removes))]

    def _to_group(self, group_id: RemoteId, user_ids: list[RemoteId]) -> list[Outcome]:
        return self._group_members("POST", group_id, user_ids)

    def _moves(self, adds: Sequence[AddMember], removes: Sequence[RemoveMember]) -> list[Move]:
        if not removes:
            return []
        arriving = [(i, *ids) for i, op in enumerate(adds) if (ids := self._in_branch(op))]
        leaving = [(j, ids[0]) for j, op in enumerate(removes) if (ids := self._in_branch(op))]
        return moves(arriving, leaving, self._counts)

    def _in_branch(self, op: AddMember | RemoveMember) -> tuple[RemoteId, RemoteId] | None:
        """(user id, branch id) of a branch membership whose ids resolve, else None."""
        if op.group.kind is not GroupKind.ORG_UNIT:
            return None
        try:
            (_, branch_id), user_id = self._member(op)
        except SkippableError:
            return None
        return user_id, branch_id

    def _send_moves(self, pairs: Sequence[Move]) -> list[tuple[Move, Outcome]]:
        """One `move_to_branch` per destination; a refusal fails both operations of a pair."""
        by_destination = _by_key([(i, (m.branch_id, m.user_id)) for i, m in enumerate(pairs)])
        sent: list[tuple[Move, Outcome]] = []
        for branch_id, group in by_destination.items():
            outcomes = Outcomes(len(group))
            users = [(slot, user_id) for slot, (_, user_id) in enumerate(group)]
            send_guarded(outcomes, users, partial(self._move, branch_id))
            sent += [(pairs[i], o) for (i, _), o in zip(group, outcomes.done(), strict=True)]
        return sent

    def _move(self, branch_id: RemoteId, user_ids: list[RemoteId]) -> list[Outcome]:
        body = {"user_ids": ints(user_ids), "branch_ids": [mapping.docebo_id(branch_id)]}
        self._client.send("PUT", MOVE_TO_BRANCH, body)
        return [Applied() for _ in user_ids]

    def remove_members(self, ops: Sequence[RemoveMember]) -> list[Outcome]:
        return self._members(ops, self._remove_from_branch, partial(self._group_members, "DELETE"))

    def _members(
        self, ops: Sequence[AddMember | RemoveMember], branch: Sender, group: Sender
    ) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, self._member)
        for (kind, group_id), members in _by_key(rows).items():
            send = branch if kind is GroupKind.ORG_UNIT else group
            send_guarded(outcomes, members, partial(send, group_id))
        return outcomes.done()

    def _member(self, op: AddMember | RemoveMember) -> tuple[tuple[GroupKind, RemoteId], RemoteId]:
        user_id = self._refs.user(op.employee_id)
        group_id = self._refs.group(op.group)
        check_ids(user_id, group_id)
        return (op.group.kind, group_id), user_id

    def _assign_to_branch(self, branch_id: RemoteId, user_ids: list[RemoteId]) -> list[Outcome]:
        body = {"id_org": mapping.docebo_id(branch_id), "id_users": ",".join(user_ids)}
        data = self._client.send("POST", ASSIGN_USERS, body, idempotent=True)
        return answers.assign_outcomes(data, user_ids)

    def _remove_from_branch(self, branch_id: RemoteId, user_ids: list[RemoteId]) -> list[Outcome]:
        body = {"user_ids": ints(user_ids), "branch_ids": [mapping.docebo_id(branch_id)]}
        self._client.send("PUT", REMOVE_FROM_BRANCH, body)
        return [Applied() for _ in user_ids]

    def _group_members(
        self, method: str, group_id: RemoteId, user_ids: list[RemoteId]
    ) -> list[Outcome]:
        path = f"{GROUPS}/{mapping.docebo_id(group_id)}/members"
        data = self._client.send(method, path, {"user_ids": ints(user_ids)}, idempotent=True)
        return answers.listed_outcomes(data, "success", user_ids)

    def enroll(self, ops: Sequence[Enroll]) -> list[Outcome]:
        return self._enrollments(ops, "POST", "enrolled")

    def unenroll(self, ops: Sequence[Unenroll]) -> list[Outcome]:
        return self._enrollments(ops, "DELETE", "un_enrolled")

    def _enrollments(
        self, ops: Sequence[Enroll | Unenroll], method: str, done_key: str
    ) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, self._enrollment)
        for course_id, users in _by_key(rows).items():
            send = partial(self._course_users, method, done_key, course_id)
            send_guarded(outcomes, users, send)
        return outcomes.done()

    def _enrollment(self, op: Enroll | Unenroll) -> tuple[RemoteId, RemoteId]:
        user_id = self._refs.user(op.employee_id)
        course_id = self._course(op.course_code)
        check_ids(user_id, course_id)
        return course_id, user_id

    def _course(self, code: CourseCode) -> RemoteId:
        configured = self._courses.get(code)
        return RemoteId(configured) if configured else self._refs.course(code)

    def _course_users(
        self, method: str, done_key: str, course_id: RemoteId, user_ids: list[RemoteId]
    ) -> list[Outcome]:
        body: dict[str, object] = {
            "course_ids": [mapping.docebo_id(course_id)],
            "user_ids": ints(user_ids),
        }
        if method == "POST":
            body["level"] = STUDENT_LEVEL
        data = self._client.send(method, ENROLLMENTS, body, idempotent=True)
        return answers.listed_outcomes(data, done_key, user_ids)


def _create(send: Callable[[], Any], key: str, find: Callable[[], RemoteId | None]) -> Outcome:
    """Create, adopting what already exists when the answer was lost or the name/code is taken."""
    try:
        return Applied(answers.new_id(send(), key))
    except (OutcomeUnknownError, RequestRefusedError):
        found = find()
        if found is None:
            raise
        return Applied(found)


def _branch_path(code: str) -> str:
    return f"{ORGCHART}/{quote(code, safe='')}"


def _by_key(rows: Sequence[tuple[int, tuple[T, RemoteId]]]) -> dict[T, list[tuple[int, RemoteId]]]:
    grouped: dict[T, list[tuple[int, RemoteId]]] = {}
    for index, (key, user_id) in rows:
        grouped.setdefault(key, []).append((index, user_id))
    return grouped
