"""Docebo writes on accounts: the user batch, status changes and deletes.

`UserWrites` is the part of `writes.Writer` that concerns accounts: a new user's row may
carry the branch their carried AddMember names (`branch_code`, with `branch_option`
"existing"). Every user batch says whether Docebo emails the users it creates
(`send_notification_email`, the target's `notify`). A lookup that fails rejects that
operation only; a request Docebo refuses as a whole rejects every operation it carried,
with Docebo's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import assert_never

from syncd.connectors.base import RemoteRefs
from syncd.connectors.docebo import answers, mapping
from syncd.connectors.docebo.client import CHANGE_STATUS, USER_BATCH, USER_DELETE, DoceboClient
from syncd.connectors.outcomes import Outcomes, UserRow, refusal, resolve, send_guarded
from syncd.errors import SkippableError
from syncd.operations import (
    AddMember,
    Applied,
    CreateUser,
    DeactivateUser,
    DeleteUser,
    Outcome,
    ReactivateUser,
    Rejected,
    UpdateUser,
)
from syncd.records import EmployeeId, RemoteId


class UserWrites:
    """The account calls: user batch, change_status, delete."""

    def __init__(self, client: DoceboClient, refs: RemoteRefs, *, notify: bool = False) -> None:
        self._client = client
        self._refs = refs
        self._notify = notify

    def upsert_users(
        self, ops: Sequence[UserRow], codes: Mapping[EmployeeId, str] | None = None
    ) -> list[Outcome]:
        """Users by the batch, a new one placed in the branch `codes` gives its person; a
        (de)activation is a row of its user's id and `active`. Rows of existing users go
        first: rows run in order, so what an update gives up (a username, an email) is free
        for a create of the same call."""
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, partial(self._user_item, codes or {}))
        rows.sort(key=lambda row: isinstance(ops[row[0]], CreateUser))
        if rows:
            send_guarded(outcomes, rows, partial(self._user_batch, bool(codes)))
        return [_as_status(op, outcome) for op, outcome in zip(ops, outcomes.done(), strict=True)]

    def write_users(self, ops: Sequence[UserRow], riders: Sequence[AddMember]) -> list[Outcome]:
        """Users created and updated, each new one placed by its row's `branch_code` in the
        branch its carried AddMember names (a branch not linked yet: that membership is
        refused, the row is sent without it). A carried membership's outcome is its row's."""
        codes: dict[EmployeeId, str] = {}
        refused: dict[int, Outcome] = {}
        for index, rider in enumerate(riders):
            try:
                check_ids(self._refs.group(rider.group))
                codes[rider.employee_id] = rider.group.code
            except SkippableError as err:
                refused[index] = Rejected(refusal(err))
        made = self.upsert_users(ops, codes)
        rows = {
            op.person.employee_id: outcome
            for op, outcome in zip(ops, made, strict=True)
            if isinstance(op, CreateUser)
        }
        placed = [
            refused.get(i) or answers.placement(rows[rider.employee_id])
            for i, rider in enumerate(riders)
        ]
        return made + placed

    def _user_item(self, codes: Mapping[EmployeeId, str], op: UserRow) -> dict[str, object]:
        match op:
            case CreateUser():
                return answers.create_item(op.person, codes.get(op.person.employee_id))
            case UpdateUser():
                return answers.update_item(op, self._refs.user(op.person.employee_id))
            case ReactivateUser() | DeactivateUser():
                active = isinstance(op, ReactivateUser)
                return answers.status_item(self._refs.user(op.employee_id), active=active)
            case _:
                assert_never(op)

    def _user_batch(self, placing: bool, items: list[dict[str, object]]) -> list[Outcome]:
        # update_user_info makes a create retried after a lost answer an update: idempotent.
        # branch_option "existing" (both eras): a code naming no one branch fails its row
        # loudly, never creates a branch. send_notification_email always sent, as the
        # target's `notify`: no source gives its default, so only an explicit false is sure
        # to email no new user.
        options: dict[str, object] = {
            "update_user_info": True,
            "send_notification_email": self._notify,
        }
        if placing:
            options["branch_option"] = "existing"
        body = {"items": items, "options": options}
        data = self._client.send("POST", USER_BATCH, body, idempotent=True)
        return answers.batch_outcomes(data, len(items))

    def change_status(
        self, ops: Sequence[DeactivateUser | ReactivateUser], *, active: bool
    ) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, lambda op: self._user_id(op.employee_id))
        if rows:
            send_guarded(outcomes, rows, partial(self._status, active))
        return outcomes.done()

    def _status(self, active: bool, user_ids: list[int]) -> list[Outcome]:
        body = {"user_ids": user_ids, "status": 1 if active else 0}
        self._client.send("PUT", CHANGE_STATUS, body)
        return [Applied() for _ in user_ids]

    def _user_id(self, employee_id: EmployeeId) -> int:
        return mapping.docebo_id(self._refs.user(employee_id))

    def delete_users(self, ops: Sequence[DeleteUser]) -> list[Outcome]:
        outcomes = Outcomes(len(ops))
        rows = resolve(ops, outcomes, lambda op: self._user_ref(op.employee_id))
        if rows:
            send_guarded(outcomes, rows, self._delete)
        return outcomes.done()

    def _delete(self, user_ids: list[RemoteId]) -> list[Outcome]:
        # Not resent after a lost answer: a resend could only say "not found" of a user it
        # deleted. The lane stops instead, and the next cycle's read shows what is gone.
        body = {"user_ids": ints(user_ids)}
        data = self._client.send("DELETE", USER_DELETE, body, idempotent=False)
        return answers.listed_outcomes(data, "deleted_user_ids", user_ids)

    def _user_ref(self, employee_id: EmployeeId) -> RemoteId:
        user_id = self._refs.user(employee_id)
        check_ids(user_id)
        return user_id


def _as_status(op: UserRow, outcome: Outcome) -> Outcome:
    """A (de)activation row done is Applied as `change_status` answers it: the account's id
    is the link's already."""
    done = isinstance(op, ReactivateUser | DeactivateUser) and isinstance(outcome, Applied)
    return Applied() if done else outcome


def check_ids(*ids: RemoteId) -> None:
    """SkippableError now, for this one operation, if a link holds something not a Docebo id."""
    ints(ids)


def ints(ids: Sequence[RemoteId]) -> list[int]:
    return [mapping.docebo_id(i) for i in ids]
