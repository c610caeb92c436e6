"""Litmos JSON <-> syncd records and request bodies: pure functions, no I/O.

Reads turn list items into Remote* records; a team's `Description` names the HR group it
stands for (`org_unit:<CODE>` or `group:<code>`), its `ParentTeamId` its parent team.
A results record and an achievement become an enrollment with its `Progress`; Litmos's
datetimes are UTC (`2016-12-20T15:24:16Z`, `2021-05-11T18:27:24.763+0000`, or with no
offset at all). Writes turn people and groups into Litmos's PascalCase bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from syncd.connectors.progress import score, utc_time
from syncd.errors import FatalError
from syncd.records import (
    EnrollmentStatus,
    GroupKind,
    GroupRef,
    Person,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)

JsonObject = Mapping[str, Any]
_KINDS = {kind.value: kind for kind in GroupKind}
COMPLETE = "Complete"
SINCE_FORMAT = "%Y-%m-%d %H:%M:%S"


def remote_id(value: object) -> RemoteId:
    """A Litmos id (a 12-character string) as a RemoteId."""
    if not isinstance(value, str) or not value:
        raise FatalError("Litmos sent an item without its Id")
    return RemoteId(value)


# --- reads ---------------------------------------------------------------------------------


def user(item: JsonObject) -> RemoteUser:
    return RemoteUser(
        remote_id=remote_id(item.get("Id")),
        username=_text(item.get("UserName")),
        email=_text(item.get("Email")),
        first_name=_text(item.get("FirstName")),
        last_name=_text(item.get("LastName")),
        active=item.get("Active") is True,
    )


def group(item: JsonObject) -> RemoteGroup:
    """A team (`GET /teams/{id}`): its Description's code says which HR group it is."""
    kind, code = group_ref(item.get("Description"))
    parent = item.get("ParentTeamId")
    return RemoteGroup(
        remote_id(item.get("Id")),
        kind,
        _text(item.get("Name")),
        code,
        RemoteId(parent) if isinstance(parent, str) and parent else None,
    )


def group_ref(code: object) -> tuple[GroupKind, str | None]:
    """`org_unit:SAL` -> (ORG_UNIT, "SAL"), `group:x` -> (GROUP, "x"); anything else ->
    (GROUP, None): a team syncd did not make, adoptable by name."""
    kind, _, rest = str(code or "").strip().partition(":")
    if kind in _KINDS and rest:
        return _KINDS[kind], rest
    return GroupKind.GROUP, None


def member(group: RemoteGroup, item: JsonObject) -> RemoteMembership:
    """A learner of a team (Litmos teams have no other role syncd writes)."""
    return RemoteMembership(group.kind, group.remote_id, remote_id(item.get("Id")))


def course(item: JsonObject) -> RemoteCourse:
    return RemoteCourse(remote_id(item.get("Id")), _text(item.get("Code")), _text(item.get("Name")))


def enrollment(item: JsonObject) -> RemoteEnrollment:
    """A `/results/details` record: `Id` is the user, `CourseId` the course."""
    return RemoteEnrollment(
        course_remote_id=remote_id(item.get("CourseId")),
        user_remote_id=remote_id(item.get("Id")),
        status=enrollment_status(item.get("Complete"), item.get("PercentageComplete")),
        progress=result_progress(item),
    )


def result_progress(item: JsonObject) -> Progress:
    """What a `/results/details` record says: its CompletedDate, and as the raw status
    "Complete" or the percentage ("42%"). The feed has no assignment date and no score
    (scores come with achievements, see `achievement`)."""
    return Progress(
        completed_at=utc_time(item.get("CompletedDate")),
        raw_status=result_status(item.get("Complete"), item.get("PercentageComplete")),
    )


def result_status(complete: object, percentage: object) -> str | None:
    """The raw status: "Complete" for a completed course, else the percentage with a % sign
    ("0%", "42%"), so that one word says either state; None when Litmos sent no percentage."""
    if complete is True:
        return COMPLETE
    if percentage is None or str(percentage).strip() == "":
        return None
    return f"{str(percentage).strip()}%"


def achievement(item: JsonObject) -> RemoteEnrollment | None:
    """A `/achievements` record: a completed course, its date, score (`Score`, null where
    the course has none) and `Result`. None for an achievement that names no course or no
    user: it is not a course result syncd can place."""
    course_id, user_id = item.get("CourseId"), item.get("UserId")
    if not (isinstance(course_id, str) and course_id and isinstance(user_id, str) and user_id):
        return None
    progress = Progress(
        completed_at=utc_time(item.get("AchievementDate")),
        score=score(item.get("Score")),
        raw_status=_text(item.get("Result")) or None,
    )
    return RemoteEnrollment(
        RemoteId(course_id), RemoteId(user_id), EnrollmentStatus.COMPLETED, progress
    )


def since_text(moment: dt.datetime) -> str:
    """A `since=` value: `yyyy-MM-dd HH:mm:ss` in UTC, the finest form Litmos takes. The
    fraction of a second is dropped (rounded down), so the moment itself stays inside the
    window; a naive datetime is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime(SINCE_FORMAT)


def enrollment_status(complete: object, percentage: object) -> EnrollmentStatus:
    """Complete -> COMPLETED, 0 % -> ENROLLED, more -> IN_PROGRESS; anything unreadable
    counts as started, so that it is never removed."""
    if complete is True:
        return EnrollmentStatus.COMPLETED
    try:
        started = float(str(percentage)) > 0
    except ValueError:
        return EnrollmentStatus.IN_PROGRESS
    return EnrollmentStatus.IN_PROGRESS if started else EnrollmentStatus.ENROLLED


# --- writes --------------------------------------------------------------------------------


def user_fields(person: Person) -> dict[str, object]:
    """Who a person is, in Litmos's words (the body of `PUT /users/{id}`)."""
    return {
        "UserName": person.username,
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "Email": person.email,
    }


def new_user(person: Person) -> dict[str, object]:
    """The body of `POST /users`: a learner, `Id` empty as Litmos asks."""
    return {"Id": "", **user_fields(person), "Active": person.active, "AccessLevel": "Learner"}


def new_team(ref: GroupRef, name: str) -> dict[str, object]:
    """The body of `POST /teams`: the HR group's code rides in the Description."""
    return {"Id": "", "Name": name, "Description": str(ref)}


def created_id(body: Any) -> RemoteId:
    """The `Id` of a create's answer."""
    if not isinstance(body, dict):
        raise FatalError("Litmos's answer to a create carries no object")
    return remote_id(body.get("Id"))


def _text(value: object) -> str:
    return "" if value is None else str(value)
