"""Coursepath JSON <-> syncd records and request bodies: pure functions, no I/O.

Reads turn list items into Remote* records (ids become strings, as RemoteId is). A
Coursepath group has a name and nothing else, so each one is offered to the engine under
both kinds (org unit and config group), to be adopted by name. Writes turn people into
member bodies; a learner's coursemember becomes an EnrollmentStatus and a Progress.

Progress keeps what the coursemember says and no more: `enrolledDate` and `completedDate`
as aware UTC datetimes (ISO 8601; an offset is converted, none means UTC, as Coursepath
prints UTC; missing or unreadable -> None), `score` as a float (a number or numeric
text; anything else -> None), and `raw_status` in Coursepath's own word, its `success`
verdict: "success=true", "success=false", or "" while there is none. The certificate URL
has no place in Progress and is not kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from syncd.connectors.progress import score, utc_time
from syncd.errors import FatalError, SkippableError
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

JsonObject = Mapping[str, Any]
PROFILE_ATTRIBUTES = ("company", "department", "country")  # Person attributes sent as such


def remote_id(value: object) -> RemoteId:
    """A Coursepath id (a number) as a RemoteId."""
    if value is None or value == "" or isinstance(value, bool):
        raise FatalError("Coursepath sent an item without its id")
    return RemoteId(str(value))


def coursepath_id(value: RemoteId | str) -> int:
    """A RemoteId as the integer Coursepath expects; SkippableError if it is not one."""
    try:
        return int(value)
    except ValueError:
        raise SkippableError(f"{value!r} is not a Coursepath id") from None


# --- reads ---------------------------------------------------------------------------------


def user(item: JsonObject) -> RemoteUser:
    """A member; the username is the email (Coursepath has none), the name is split once."""
    first, _, last = _text(item.get("name")).partition(" ")
    external = item.get("externalId")
    return RemoteUser(
        remote_id=remote_id(item.get("id")),
        username=_text(item.get("email")),
        email=_text(item.get("email")),
        first_name=first,
        last_name=last,
        active=item.get("active") is not False,
        external_id=None if external in (None, "") else str(external),
    )


def groups(item: JsonObject) -> tuple[RemoteGroup, ...]:
    """One Coursepath group, offered as an org unit and as a config group (no codes)."""
    rid, name = remote_id(item.get("id")), _text(item.get("name"))
    return tuple(RemoteGroup(rid, kind, name) for kind in GroupKind)


def members(group_id: RemoteId, item: JsonObject) -> Iterator[RemoteMembership]:
    """A group member as a learner of both kinds of the group."""
    for kind in GroupKind:
        yield RemoteMembership(kind, group_id, remote_id(item.get("id")))


def course(item: JsonObject) -> RemoteCourse:
    return RemoteCourse(remote_id(item.get("id")), _text(item.get("code")), _text(item.get("name")))


def enrollment(course_id: RemoteId, member_id: RemoteId, result: JsonObject) -> RemoteEnrollment:
    """A learner in a course, her status and progress read from one coursemember."""
    return RemoteEnrollment(course_id, member_id, enrollment_status(result), progress(result))


def enrollment_status(result: JsonObject) -> EnrollmentStatus:
    """A coursemember result: completed (a date) -> COMPLETED, or FAILED when `success` is
    false; a score or a verdict without a date -> IN_PROGRESS; nothing yet -> ENROLLED."""
    success = result.get("success")
    if result.get("completedDate"):
        return EnrollmentStatus.FAILED if success is False else EnrollmentStatus.COMPLETED
    if success is not None or result.get("score") is not None:
        return EnrollmentStatus.IN_PROGRESS
    return EnrollmentStatus.ENROLLED


def progress(result: JsonObject) -> Progress:
    """What a coursemember says the learner did: dates, score and the `success` verdict."""
    return Progress(
        enrolled_at=utc_time(result.get("enrolledDate")),
        completed_at=utc_time(result.get("completedDate")),
        score=score(result.get("score")),
        raw_status=raw_status(result.get("success")),
    )


def raw_status(success: object) -> str:
    """Coursepath's only word for a state, its verdict: "success=true", "success=false",
    or "" while it has none (a null, or anything that is not a JSON boolean)."""
    if isinstance(success, bool):
        return f"success={'true' if success else 'false'}"
    return ""


# --- writes --------------------------------------------------------------------------------


def member_fields(person: Person) -> dict[str, object]:
    """The body of `POST /members/{id}` that states who a person is."""
    attributes = dict(person.attributes)
    profile = {key: attributes[key] for key in PROFILE_ATTRIBUTES if attributes.get(key)}
    return {"email": person.email, "name": full_name(person), **profile}


def new_member(person: Person) -> dict[str, object]:
    """The body of `POST /members`: the person, keyed for adoption by their employee id."""
    return {**member_fields(person), "externalId": person.employee_id}


def full_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}".strip() or person.email


def created_id(body: Any) -> RemoteId:
    """The id of a created member (or a joined group) in Coursepath's answer."""
    if not isinstance(body, dict):
        raise FatalError("Coursepath's answer to a create is not an object")
    return remote_id(body.get("id"))


def _text(value: object) -> str:
    return "" if value is None else str(value)
