"""Docebo branches in bulk: creates and deletes through `POST|DELETE /manage/v1/orgchart/batch`.

`Writer` hands `BranchBatch` the branch creates or deletes of one batch. Rows are read
against the tree as it stood before the call (the strict reading, docs/lms/docebo.md):
creates go a wave a tree level, or, deeper than two levels, in two calls (every branch,
then `update` rows placing those under a new parent). A creating call has `update`
false, so a code that exists answers its id (a resend after a lost answer adopts it); a
row without an id takes it from one walk of the tree. Deletes go by id; refused rows
are resent while a call removes something; "not found" is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from syncd.connectors.base import RemoteRefs
from syncd.connectors.docebo import answers, mapping
from syncd.connectors.docebo.client import ORGCHART, DoceboClient
from syncd.connectors.outcomes import Outcomes, resolve
from syncd.operations import Applied, CreateGroup, DeleteGroup, Outcome, Rejected, Unconfirmed
from syncd.records import GroupKind, RemoteId

BATCH = f"{ORGCHART}/batch"
NO_ID = "Docebo created the branch but answered no id, and the tree does not show it yet"

BranchIds = Callable[[], dict[str, RemoteId]]
OpT = TypeVar("OpT", CreateGroup, DeleteGroup)


class BranchBatch:
    """The branch batch calls of one apply, with a way to read every branch's id by code."""

    def __init__(self, client: DoceboClient, refs: RemoteRefs, branch_ids: BranchIds) -> None:
        self._client = client
        self._refs = refs
        self._branch_ids = branch_ids

    def create(self, ops: Sequence[CreateGroup]) -> list[Outcome]:
        """Wave by wave, or, for a tree more than two levels deep, in two calls."""
        plan = waves(ops)
        if len(plan) > 2:
            return self._with_ids(ops, self._create_then_place(ops, plan))
        outcomes: list[Outcome | None] = [None] * len(ops)
        for wave in plan:
            for index, row in zip(wave, self._post(ops, wave), strict=True):
                outcomes[index] = row
        return self._with_ids(ops, outcomes)

    def _create_then_place(
        self, ops: Sequence[CreateGroup], plan: list[list[int]]
    ) -> list[Outcome | None]:
        """Every branch in one call (those whose parent the batch makes at the root for
        now), then one call with `update` true placing those under their parents."""
        nested = [i for wave in plan[1:] for i in wave]
        outcomes: list[Outcome | None] = [*self._post(ops, range(len(ops)), frozenset(nested))]
        made = [i for i in nested if isinstance(outcomes[i], Applied)]
        placed = self._post(ops, made, update=True) if made else []
        for index, row in zip(made, placed, strict=True):
            if isinstance(row, Rejected):
                outcomes[index] = Rejected(f"made at the root, not under its parent: {row.error}")
        return outcomes

    def _post(
        self,
        ops: Sequence[CreateGroup],
        places: Iterable[int],
        at_root: frozenset[int] = frozenset(),
        *,
        update: bool = False,
    ) -> list[Outcome]:
        items = [_item(ops[i], at_root=i in at_root) for i in places]
        body = {"items": items, "options": {"update": update}}
        data = self._client.send("POST", BATCH, body, idempotent=True)
        return answers.branch_rows(data, len(items))

    def _with_ids(self, ops: Sequence[CreateGroup], rows: list[Outcome | None]) -> list[Outcome]:
        """Each row's outcome; a success without an id takes it from one walk of the tree."""
        missing = [i for i, r in enumerate(rows) if isinstance(r, Applied) and not r.remote_id]
        found = self._branch_ids() if missing else {}
        for index in missing:
            remote_id = found.get(ops[index].group.ref.code)
            rows[index] = Applied(remote_id) if remote_id else Unconfirmed(NO_ID)
        return [row or Rejected("no request carried this operation") for row in rows]

    def delete(self, ops: Sequence[DeleteGroup]) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        todo = resolve(ops, outcomes, lambda op: mapping.docebo_id(self._refs.group(op.ref)))
        while todo:
            rows = self._delete([branch_id for _, branch_id in todo])
            for (index, _), row in zip(todo, rows, strict=True):
                outcomes.set(index, row)
            progress = any(isinstance(row, Applied) for row in rows)
            todo = [t for t, row in zip(todo, rows, strict=True) if isinstance(row, Rejected)]
            todo = todo if progress else []
        return outcomes.done()

    def _delete(self, branch_ids: list[int]) -> list[Outcome]:
        data = self._client.send("DELETE", BATCH, {"ids": branch_ids}, idempotent=True)
        return [_deleted(row) for row in answers.branch_rows(data, len(branch_ids))]


def by_kind(
    ops: Sequence[OpT],
    branches: Callable[[list[OpT]], list[Outcome]],
    groups: Callable[[list[OpT]], list[Outcome]],
) -> list[Outcome]:
    """Outcomes in batch order, the branch operations through `branches` and the config
    group ones through `groups`."""
    places = [i for i, op in enumerate(ops) if _kind(op) is GroupKind.ORG_UNIT]
    others = [i for i in range(len(ops)) if i not in set(places)]
    slots: dict[int, Outcome] = {}
    if places:
        slots.update(zip(places, branches([ops[i] for i in places]), strict=True))
    if others:
        slots.update(zip(others, groups([ops[i] for i in others]), strict=True))
    return [slots[i] for i in range(len(ops))]


def _kind(op: CreateGroup | DeleteGroup) -> GroupKind:
    return op.ref.kind if isinstance(op, DeleteGroup) else op.group.ref.kind


def waves(ops: Sequence[CreateGroup]) -> list[list[int]]:
    """Places of the creates, wave by wave: a branch goes in the wave after its parent's
    when this batch creates the parent too (a chain that never resolves goes last)."""
    pending = list(range(len(ops)))
    made: set[str] = set()
    batch_codes = {op.group.ref.code for op in ops}
    result: list[list[int]] = []
    while pending:
        ready = [i for i in pending if _parent_ready(ops[i], batch_codes, made)] or pending
        result.append(ready)
        made |= {ops[i].group.ref.code for i in ready}
        pending = [i for i in pending if i not in ready]
    return result


def _parent_ready(op: CreateGroup, batch_codes: set[str], made: set[str]) -> bool:
    parent = op.group.parent
    return parent is None or parent.code not in batch_codes or parent.code in made


def _item(op: CreateGroup, *, at_root: bool = False) -> dict[str, object]:
    """A row: the code, the name as the English one, the parent by code ("": the root)."""
    parent = op.group.parent.code if op.group.parent and not at_root else ""
    return {"code": op.group.ref.code, "name": {"english": op.group.name}, "parent_code": parent}


def _deleted(row: Outcome) -> Outcome:
    """A delete row's outcome: done, or already gone (not found), else refused."""
    if isinstance(row, Applied) or "not found" in getattr(row, "error", "").lower():
        return Applied()
    return row
