"""Dokeos JSON <-> syncd records, request bodies and job states: pure functions, no I/O.

Reads turn list items into Remote* records (ids become strings, as RemoteId is); a
group's `code` says which HR group it is (`org_unit:<CODE>` or `group:<code>`). A
participation becomes an enrollment with its `Progress` (see `progress`). Writes turn
people and groups into bodies, and answers into ids and job ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from syncd.connectors.base import JobState, JobStatus
from syncd.connectors.progress import score, utc_time
from syncd.errors import FatalError, SkippableError
from syncd.records import (
    EnrollmentStatus,
    GroupKind,
    GroupRef,
    MemberRole,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)
from syncd.redact import scrub

JsonObject = Mapping[str, Any]


def remote_id(value: object) -> RemoteId:
    """A Dokeos id (a number) as a RemoteId."""
    if value is None or value == "" or isinstance(value, bool):
        raise FatalError("Dokeos sent an item without its id")
    return RemoteId(str(value))


def dokeos_id(value: RemoteId) -> int:
    """A RemoteId as the integer Dokeos expects; SkippableError if it is not one."""
    try:
        return int(value)
    except ValueError:
        raise SkippableError(f"{value!r} is not a Dokeos id") from None


# --- reads ---------------------------------------------------------------------------------


def user(item: JsonObject) -> RemoteUser:
    external = item.get("external_id")
    return RemoteUser(
        remote_id=remote_id(item.get("id")),
        username=_text(item.get("username")),
        email=_text(item.get("email")),
        first_name=_text(item.get("firstname")),
        last_name=_text(item.get("lastname")),
        active=item.get("active") is True,
        external_id=None if external in (None, "") else str(external),
    )


def group(item: JsonObject) -> RemoteGroup:
    """A flat Dokeos group; its code names the HR group it stands for, if any."""
    kind, code = group_ref(item.get("code"))
    return RemoteGroup(remote_id(item.get("id")), kind, _text(item.get("name")), code)


_KINDS = {kind.value: kind for kind in GroupKind}


def group_ref(code: object) -> tuple[GroupKind, str | None]:
    """`org_unit:SAL` -> (ORG_UNIT, "SAL"), `group:x` -> (GROUP, "x"); any other code or
    none -> (GROUP, None): a group syncd did not make, adoptable by name."""
    kind, _, rest = str(code or "").partition(":")
    if kind in _KINDS and rest:
        return _KINDS[kind], rest
    return GroupKind.GROUP, None


def group_code(ref: GroupRef) -> str:
    """The code syncd gives the Dokeos group of an HR group: `org_unit:SAL`, `group:x`."""
    return str(ref)


def members(group: RemoteGroup, item: JsonObject) -> Iterator[RemoteMembership]:
    """The group's learners and managers."""
    for key, role in (("learner_ids", MemberRole.LEARNER), ("manager_ids", MemberRole.MANAGER)):
        ids = item.get(key)
        for user_id in ids if isinstance(ids, list) else []:
            yield RemoteMembership(group.kind, group.remote_id, remote_id(user_id), role)


def course(item: JsonObject) -> RemoteCourse:
    return RemoteCourse(remote_id(item.get("id")), _text(item.get("code")), _text(item.get("name")))


def enrollment(item: JsonObject) -> RemoteEnrollment:
    """A participation (read with its `progressions`) as an enrollment with its progress."""
    status = enrollment_status(item.get("status"))
    return RemoteEnrollment(
        course_remote_id=remote_id(item.get("training_id")),
        user_remote_id=remote_id(item.get("user_id")),
        status=status,
        progress=progress(item, status),
    )


def progress(item: JsonObject, status: EnrollmentStatus) -> Progress:
    """What the participation says the learner did.

    Its own `created_at` (the enrollment), `completed_at` and `score` win: they are
    Dokeos's summary of the training. Where it leaves one null, its `progressions` (the
    per-module detail the seed documents) fill it in: a completed participation was
    completed when its last module was, and its score is the mean of its scored modules.
    A value missing or unreadable is None; `raw_status` is the status text as sent.
    """
    modules = _modules(item.get("progressions"))
    completed_at = utc_time(item.get("completed_at"))
    if completed_at is None and status is EnrollmentStatus.COMPLETED:
        completed_at = last_module_completion(modules)
    own_score = score(item.get("score"))
    return Progress(
        enrolled_at=utc_time(item.get("created_at")),
        completed_at=completed_at,
        score=mean_module_score(modules) if own_score is None else own_score,
        raw_status=None if item.get("status") is None else str(item.get("status")),
    )


def last_module_completion(modules: Sequence[JsonObject]) -> dt.datetime | None:
    """When the last module was completed; None unless every module has a completion date."""
    times = [utc_time(module.get("completed_at")) for module in modules]
    known = [moment for moment in times if moment is not None]
    return max(known) if known and len(known) == len(times) else None


def mean_module_score(modules: Sequence[JsonObject]) -> float | None:
    """The mean score of the modules that carry one (ungraded modules count for nothing)."""
    scores = [s for s in (score(module.get("score")) for module in modules) if s is not None]
    return sum(scores) / len(scores) if scores else None


_STATUSES = {
    "not_started": EnrollmentStatus.ENROLLED,
    "in_progress": EnrollmentStatus.IN_PROGRESS,
    "completed": EnrollmentStatus.COMPLETED,
    "failed": EnrollmentStatus.FAILED,
}


def enrollment_status(raw: object) -> EnrollmentStatus:
    """A participation's status in syncd's words; an unknown one counts as started, so that
    it is never removed."""
    return _STATUSES.get(str(raw).lower(), EnrollmentStatus.IN_PROGRESS)


def participation_key(item: JsonObject) -> tuple[RemoteId, RemoteId]:
    """(user id, training id) of a participation."""
    return remote_id(item.get("user_id")), remote_id(item.get("training_id"))


# --- writes --------------------------------------------------------------------------------


def user_fields(person: Person) -> dict[str, object]:
    """The body of `PUT /users/:id` that states who a person is."""
    return {
        "username": person.username,
        "email": person.email,
        "firstname": person.first_name,
        "lastname": person.last_name,
    }


def new_user(person: Person) -> dict[str, object]:
    """The body of `POST /users`: the person, keyed for later adoption by their employee id."""
    return {**user_fields(person), "external_id": person.employee_id, "active": person.active}


def new_group(ref: GroupRef, name: str) -> dict[str, object]:
    return {"name": name, "code": group_code(ref)}


def created_id(body: Any) -> RemoteId:
    """The id in a create's `{"data": {"id": n, ...}}` answer."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise FatalError("Dokeos's answer to a create carries no data")
    return remote_id(data.get("id"))


def job_id(body: Any) -> str:
    """The `job_id` of a 202 answer."""
    found = body.get("job_id") if isinstance(body, dict) else None
    if found is None or found == "" or isinstance(found, bool):
        raise FatalError("Dokeos accepted an asynchronous call without a job_id")
    return str(found)


_MAX_STATUS = 40  # of an undocumented job status, as logged
_JOB_STATUSES = {
    "queued": JobStatus.PENDING,
    "running": JobStatus.PENDING,
    "done": JobStatus.DONE,
    "failed": JobStatus.FAILED,
}


def undocumented_job_status(body: Any) -> str | None:
    """The status text of a `GET /jobs/:id` answer that Dokeos does not document
    (`cancelled`...), scrubbed; None for a documented one."""
    status = body.get("status") if isinstance(body, dict) else None
    return None if str(status) in _JOB_STATUSES else scrub(_text(status))[:_MAX_STATUS]


def job_state(body: Any) -> JobState:
    """`GET /jobs/:id`'s answer; a status Dokeos has not documented is still PENDING (the
    job is polled again until it settles or is gone)."""
    answer: JsonObject = body if isinstance(body, dict) else {}
    status = _JOB_STATUSES.get(str(answer.get("status")), JobStatus.PENDING)
    if status is not JobStatus.FAILED:
        return JobState(status)
    return JobState(status, scrub(_text(answer.get("error"))) or "the Dokeos job failed")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _modules(value: object) -> list[JsonObject]:
    """The modules of `progressions`; anything that is not a list of objects is none."""
    items = value if isinstance(value, list) else []
    return [module for module in items if isinstance(module, dict)]
