"""Docebo write bodies and answers: operations into request bodies, answers into Outcomes.

Pure functions, no I/O, called by `writes.Writer`: the user-batch items syncd sends
(strict in what it sends: the 2017 SDK's batch fields plus the modern `first_name`/
`last_name`), the per-row answer of the user batch, and the per-id answers of the
member, branch and enrollment calls, one Outcome per operation sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, assert_never

from syncd.connectors.docebo.mapping import JsonObject, docebo_id, remote_id
from syncd.connectors.outcomes import UNREAD, WriteAnswer, answer_outcome
from syncd.errors import FatalError
from syncd.operations import Applied, Outcome, Pending, Rejected, Unconfirmed, UpdateUser
from syncd.records import Person, RemoteId


def create_item(person: Person, branch_code: str | None = None) -> dict[str, object]:
    """An item of `POST /manage/v1/user/batch` that creates (or, retried, updates) by username,
    placing the user in the branch with `branch_code` when one is given."""
    item = {"username": person.username, **_person_fields(person), "active": person.active}
    return item if branch_code is None else {**item, "branch_code": branch_code}


def placement(row: Outcome) -> Outcome:
    """A carried branch membership's outcome, from its user row's: placed with the user, or
    not at all (a failed row creates nothing, the branch check included)."""
    match row:
        case Applied():
            return Applied()
        case Rejected():
            return Rejected(f"not placed: the user row failed: {row.error}")
        case Unconfirmed() | Pending():
            return Unconfirmed(UNREAD)
        case _:
            assert_never(row)


def update_item(op: UpdateUser, user_id: RemoteId) -> dict[str, object]:
    """An item that updates the user by id, renaming it when the username changed."""
    renamed = any(change.field == "username" for change in op.changes)
    rename = {"new_username": op.person.username} if renamed else {}
    return {"user_id": docebo_id(user_id), **_person_fields(op.person), **rename}


def status_item(user_id: RemoteId, *, active: bool) -> dict[str, object]:
    """An item that only (de)activates the user by id: `active` is a batch item field
    (lms-apis.md 1.7, the 2017 SDK's `ManageUserBatchItems.md`)."""
    return {"user_id": docebo_id(user_id), "active": active}


def _person_fields(person: Person) -> dict[str, object]:
    return {"email": person.email, "first_name": person.first_name, "last_name": person.last_name}


def batch_outcomes(data: Any, size: int) -> list[Outcome]:
    """The per-row answer of the user batch, as one Outcome per item sent."""
    rows = {row.get("row_index"): row for row in _dicts(data)}
    return [_row_outcome(rows.get(index)) for index in range(size)]


def _row_outcome(row: JsonObject | None) -> Outcome:
    if row is None:
        return Rejected("Docebo answered no row for this item")
    raw = row.get("output")
    output: JsonObject = raw if isinstance(raw, dict) else {}
    if row.get("success") is True and output.get("user_id") is not None:
        return Applied(remote_id(output["user_id"]))
    words = output.get("error") or row.get("message") or "the row failed"
    return Rejected(str(words))


def branch_rows(data: Any, size: int) -> list[Outcome]:
    """The per-row answer of the branch batch: done with the branch's `output.id` (None
    when the row carries none), or refused with the row's words."""
    rows = {row.get("row_index"): row for row in _dicts(data)}
    return [_branch_row(rows.get(index)) for index in range(size)]


def _branch_row(row: JsonObject | None) -> Outcome:
    if row is None:
        return Rejected("Docebo answered no row for this item")
    raw = row.get("output")
    output: JsonObject = raw if isinstance(raw, dict) else {}
    if row.get("success") is True:
        found = output.get("id")
        return Applied(None if found is None else remote_id(found))
    return Rejected(str(output.get("error") or row.get("message") or "the row failed"))


def branch_body(code: str, name: str, parent: RemoteId) -> dict[str, object]:
    return {"code": code, "translations": {"english": name}, "id_parent": docebo_id(parent)}


def new_id(data: Any, key: str) -> RemoteId:
    """The id a create answered (`{"id": n}` or `{"group_id": n}`)."""
    if not isinstance(data, dict):
        raise FatalError(f"Docebo's answer to a create carries no {key}")
    return remote_id(data.get(key))


def id_set(values: Any) -> set[str]:
    """Ids in a Docebo answer list (numbers, strings or {"id_user": n} objects) as strings."""
    if not isinstance(values, list):
        return set()
    return {
        str(v.get("id_user", v.get("user_id"))) if isinstance(v, dict) else str(v) for v in values
    }


def error_lines(data: Any) -> list[str]:
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return []
    return [str(e) if not isinstance(e, dict) else str(e.get("message", e)) for e in errors]


def assign_outcomes(data: Any, user_ids: Sequence[RemoteId]) -> list[Outcome]:
    """The answer of `orgchart/assign_users`: assigned or already there is done; the users
    it says do not exist or could not be assigned are refused; the rest, unconfirmed."""
    body = data if isinstance(data, dict) else {}
    lists = [body.get("success"), body.get("already_assigned_users")]
    listed = any(isinstance(value, list) for value in lists)
    done = frozenset(id_set(lists[0]) | id_set(lists[1])) if listed else None
    missing = [f"User not found: {i}" for i in sorted(id_set(body.get("users_not_exist")))]
    failed = [f"Docebo could not assign user {i}" for i in sorted(id_set(body.get("errors")))]
    answer = WriteAnswer(done, tuple(missing + failed), _flag(body.get("success")))
    return [answer_outcome(answer, u) for u in user_ids]


def listed_outcomes(data: Any, done_key: str, user_ids: Sequence[RemoteId]) -> list[Outcome]:
    """An answer listing the users it did (or found done) under `done_key` and its error
    lines under `errors` (group members, enrollments of one course, deletions). Group
    writes are not public: `{"success": true}` alone reads as done, and a shape syncd does
    not read as unconfirmed (`outcomes.answer_outcome`)."""
    body = data if isinstance(data, dict) else {}
    listed = body.get(done_key)
    done = frozenset(id_set(listed)) if isinstance(listed, list) else None
    answer = WriteAnswer(done, tuple(error_lines(body)), _flag(body.get("success")))
    return [answer_outcome(answer, u) for u in user_ids]


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _dicts(data: Any) -> list[JsonObject]:
    if not isinstance(data, list):
        raise FatalError("Docebo's batch answer is not a list of rows")
    return [row for row in data if isinstance(row, dict)]
