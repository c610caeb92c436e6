"""Docebo JSON <-> syncd records and outcomes: pure functions, no I/O.

Reads turn list items into Remote* records (ids become strings, as RemoteId is;
an enrollment carries the learner's Progress from the same item);
writes turn operations into request bodies and Docebo's per-row or per-id answers
into one Outcome per operation. Nothing here knows about HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from syncd.connectors.progress import score, utc_time
from syncd.errors import FatalError, SkippableError
from syncd.operations import Applied, Outcome, Rejected, UpdateUser
from syncd.records import (
    EnrollmentStatus,
    GroupKind,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)

ROOT = RemoteId("0")
JsonObject = Mapping[str, Any]


def remote_id(value: object) -> RemoteId:
    """A Docebo id (sent as a number or a string) as a RemoteId."""
    if value is None or value == "":
        raise FatalError("Docebo sent an item without its id")
    return RemoteId(str(value))


def docebo_id(value: RemoteId) -> int:
    """A RemoteId as the integer Docebo expects in bodies; SkippableError if it is not one."""
    try:
        return int(value)
    except ValueError:
        raise SkippableError(f"{value!r} is not a Docebo id") from None


# --- reads ---------------------------------------------------------------------------------


def user(item: JsonObject) -> RemoteUser:
    return RemoteUser(
        remote_id=remote_id(item.get("user_id")),
        username=str(item.get("username") or ""),
        email=str(item.get("email") or ""),
        first_name=str(item.get("first_name") or ""),
        last_name=str(item.get("last_name") or ""),
        active=str(item.get("status")) == "1",
    )


def branch(item: JsonObject, parent: RemoteId) -> RemoteGroup:
    """A branch listed under `parent` (ROOT for a top-level branch)."""
    return RemoteGroup(
        remote_id=remote_id(item.get("id")),
        kind=GroupKind.ORG_UNIT,
        name=str(item.get("title") or ""),
        code=str(item.get("code") or "") or None,
        parent_remote_id=None if parent == ROOT else parent,
    )


def is_leaf(item: JsonObject) -> bool:
    """Nested-set bounds one apart: the branch has no children (unknown bounds: not a leaf)."""
    left, right = item.get("i_left"), item.get("i_right")
    return isinstance(left, int) and isinstance(right, int) and right - left == 1


def group(item: JsonObject) -> RemoteGroup:
    return RemoteGroup(
        remote_id=remote_id(item.get("group_id")),
        kind=GroupKind.GROUP,
        name=str(item.get("name") or ""),
    )


def member(kind: GroupKind, group_id: RemoteId, item: JsonObject) -> RemoteMembership:
    return RemoteMembership(kind, group_id, remote_id(item.get("user_id")))


def course(item: JsonObject) -> RemoteCourse:
    code, name = str(item.get("code") or ""), str(item.get("name") or "")
    return RemoteCourse(remote_id(item.get("id")), code, name)


def enrollment(item: JsonObject) -> RemoteEnrollment:
    """An item of `GET /learn/v1/enrollments`, with the learner's progress it carries."""
    return RemoteEnrollment(
        course_remote_id=remote_id(item.get("id")),
        user_remote_id=remote_id(item.get("user_id")),
        status=enrollment_status(item.get("status")),
        progress=progress(item),
    )


def progress(item: JsonObject) -> Progress:
    """The progress fields of an enrollment item, each read on its own.

    `enroll_begin_date` (Docebo: "the beginning time of the enrollment") is when the
    learner was enrolled; `course_complete_date` when they completed, taken as sent
    even if the status says otherwise. An empty, null or unparseable field is None and
    changes nothing else: the status still comes from `status` alone.
    """
    return Progress(
        enrolled_at=utc_time(item.get("enroll_begin_date")),
        completed_at=utc_time(item.get("course_complete_date")),
        score=score(item.get("score")),
        raw_status=raw_text(item.get("status")),
    )


def raw_text(raw: object) -> str | None:
    """A field as Docebo sent it, as text (the legacy integer statuses too); null is None."""
    return None if raw is None or raw == "" else str(raw)


# Docebo's enrollment statuses (API strings; older tenants send the legacy integers).
_STATUSES = {
    "subscribed": EnrollmentStatus.ENROLLED,
    "0": EnrollmentStatus.ENROLLED,
    "waiting": EnrollmentStatus.ENROLLED,
    "overbooking": EnrollmentStatus.ENROLLED,
    "in_progress": EnrollmentStatus.IN_PROGRESS,
    "1": EnrollmentStatus.IN_PROGRESS,
    "completed": EnrollmentStatus.COMPLETED,
    "2": EnrollmentStatus.COMPLETED,
    "failed": EnrollmentStatus.FAILED,
}


def enrollment_status(raw: object) -> EnrollmentStatus:
    """Docebo's status in syncd's words; an unknown one counts as started: never removed."""
    return _STATUSES.get(str(raw).lower(), EnrollmentStatus.IN_PROGRESS)


# --- writes --------------------------------------------------------------------------------


def create_item(person: Person) -> dict[str, object]:
    """An item of `POST /manage/v1/user/batch` that creates (or, retried, updates) by username."""
    return {"username": person.username, **_person_fields(person), "active": person.active}


def update_item(op: UpdateUser, user_id: RemoteId) -> dict[str, object]:
    """An item that updates the user by id, renaming it when the username changed."""
    renamed = any(change.field == "username" for change in op.changes)
    rename = {"new_username": op.person.username} if renamed else {}
    return {"user_id": docebo_id(user_id), **_person_fields(op.person), **rename}


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


def naming(lines: Iterable[str], *ids: str) -> str | None:
    """The first error line that names one of `ids` as a whole word."""
    patterns = [re.compile(rf"(?<![\w-]){re.escape(i)}(?![\w-])") for i in ids]
    return next((line for line in lines if any(p.search(line) for p in patterns)), None)


def member_outcome(user_id: RemoteId, done: set[str], lines: Sequence[str]) -> Outcome:
    """Applied if Docebo lists the user as done, else Rejected with the line that names it."""
    if user_id in done:
        return Applied()
    return Rejected(naming(lines, user_id) or "; ".join(lines) or "Docebo did not confirm it")


def assign_outcomes(data: Any, user_ids: Sequence[RemoteId]) -> list[Outcome]:
    """The answer of `orgchart/assign_users`: assigned or already there is done."""
    body = data if isinstance(data, dict) else {}
    done = id_set(body.get("success")) | id_set(body.get("already_assigned_users"))
    missing = [f"User not found: {i}" for i in sorted(id_set(body.get("users_not_exist")))]
    failed = [f"Docebo could not assign user {i}" for i in sorted(id_set(body.get("errors")))]
    return [member_outcome(u, done, missing + failed) for u in user_ids]


def listed_outcomes(data: Any, done_key: str, user_ids: Sequence[RemoteId]) -> list[Outcome]:
    """An answer listing the users it did (or found done) under `done_key` and its error
    lines under `errors` (group members, enrollments of one course)."""
    done = id_set(data.get(done_key)) if isinstance(data, dict) else set()
    lines = error_lines(data)
    return [member_outcome(u, done, lines) for u in user_ids]


def _dicts(data: Any) -> list[JsonObject]:
    if not isinstance(data, list):
        raise FatalError("Docebo's batch answer is not a list of rows")
    return [row for row in data if isinstance(row, dict)]
