"""Litmos JSON <-> syncd records and request bodies: pure functions, no I/O.

Reads turn list items into Remote* records; a team's `Description` names the HR group it
stands for (`org_unit:<CODE>` or `group:<code>`); its parent is the team whose
`GET /teams/{id}/teams` lists it (no captured team answer carries a parent field).
A results record and an achievement become an enrollment with its `Progress`; Litmos's
datetimes are UTC (`2016-12-20T15:24:16Z`, `2021-05-11T18:27:24.763+0000`, or with no
offset at all). Writes turn people and groups into Litmos's PascalCase bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
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
        username=text(item.get("UserName")),
        email=text(item.get("Email")),
        first_name=text(item.get("FirstName")),
        last_name=text(item.get("LastName")),
        active=item.get("Active") is True,
    )


def group(item: JsonObject, parent: RemoteId | None = None) -> RemoteGroup:
    """A team (`GET /teams/{id}`: Id, Name, Description, as get-sub-teams.yml shows it):
    its Description's code says which HR group it is; `parent` is the team whose sub-team
    list names it (None for a top team)."""
    kind, code = group_ref(item.get("Description"))
    return RemoteGroup(remote_id(item.get("Id")), kind, text(item.get("Name")), code, parent)


def sub_team(item: JsonObject, parent: RemoteId) -> RemoteGroup:
    """An item of `GET /teams/{parent}/teams` (Id, Name, TeamCodeForBulkImport, as
    get-sub-teams.yml shows it): a team whose parent is the team asked about. The item
    has no Description, so its HR group is read from `GET /teams/{id}` afterwards."""
    return RemoteGroup(
        remote_id(item.get("Id")), GroupKind.GROUP, text(item.get("Name")), None, parent
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
    return RemoteCourse(remote_id(item.get("Id")), text(item.get("Code")), text(item.get("Name")))


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
        raw_status=text(item.get("Result")) or None,
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


# The body of `POST /users`, in the order the captured create sends it (create-new-user.yml;
# the spec: "a mandatory list of fields ... order sensitive"), less the spec's read-only
# LastLogin and LoginKey, plus CustomField3 (which that capture's client left out).
BLANK_TEXT = ("Skype", "PhoneWork", "PhoneMobile")
ADDRESS_AND_WORK = (
    "Street1",
    "Street2",
    "City",
    "State",
    "PostalCode",
    "Country",
    "CompanyName",
    "JobTitle",
    *(f"CustomField{n}" for n in range(1, 11)),
)
# The spec's `User` properties in its order (the PUT's "mandatory list of fields ... order
# sensitive"), less the four it marks `readOnly` (LastLogin, LoginKey, OriginalId,
# CreatedDate): the only fields a PUT sends, in this order.
USER_FIELDS = (
    "Id", "UserName", "FirstName", "LastName", "FullName", "Email", "AccessLevel",
    "DisableMessages", "Active", "Skype", "PhoneWork", "PhoneMobile", "IsCustomUsername",
    "Password", "SkipFirstLogin", "TimeZone", "SalesforceId", "Street1", "Street2", "City",
    "State", "PostalCode", "Country", "SalesforceContactId", "SalesforceAccountId", "Points",
    "CompanyName", "JobTitle", *(f"CustomField{n}" for n in range(1, 11)), "Culture", "Brand",
    "ManagerId", "ManagerName", "EnableTextNotification", "Website", "Twitter",
    "ExpirationDate", "JobRole", "ExternalEmployeeId", "ProfileType",
)  # fmt: skip
READ_ONLY = frozenset({"LastLogin", "LoginKey", "OriginalId", "CreatedDate"})


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What a new account gets that HR does not own (the target's settings)."""

    access_level: str = "Learner"
    time_zone: str = "UTC"
    skip_first_login: bool = False
    notify: bool = False  # the target's `notify`: off, the account's messages are disabled


def user_fields(person: Person) -> dict[str, object]:
    """Who a person is, in Litmos's words: the fields syncd owns on a Litmos user."""
    return {
        "UserName": person.username,
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "Email": person.email,
    }


def new_user(person: Person, account: NewAccount) -> dict[str, object]:
    """The body of `POST /users`: every field the spec requires (`User.required`), in the
    captured order, `Id` empty as Litmos asks; messages disabled as the capture has it
    (`DisableMessages`), unless the target lets Litmos email people (`notify`)."""
    return {
        "Id": "",
        "UserName": person.username,
        "FirstName": person.first_name,
        "LastName": person.last_name,
        "FullName": "",
        "Email": person.email,
        "AccessLevel": account.access_level,
        "DisableMessages": not account.notify,
        "Active": person.active,
        **dict.fromkeys(BLANK_TEXT, ""),
        "IsCustomUsername": False,
        "Password": "",
        "SkipFirstLogin": account.skip_first_login,
        "TimeZone": account.time_zone,
        **dict.fromkeys(ADDRESS_AND_WORK, ""),
        "Culture": "",
    }


def changed_user(current: JsonObject, changes: Mapping[str, object]) -> dict[str, object]:
    """The body of `PUT /users/{id}`: the whole user as `GET /users/{id}` gave it, with
    `changes` made, every writable field of the spec's `User` in the spec's order; read-only
    fields, nulls (the schema types no field nullable) and keys the schema does not name are
    left out. Nothing else is touched: Litmos may reset a field a PUT leaves out."""
    merged = {**current, **changes}
    if "FirstName" in changes or "LastName" in changes:
        merged["FullName"] = f"{merged.get('FirstName') or ''} {merged.get('LastName') or ''}"
        merged["FullName"] = str(merged["FullName"]).strip()
    return {k: merged[k] for k in USER_FIELDS if merged.get(k) is not None}


def new_team(ref: GroupRef, name: str) -> dict[str, object]:
    """The body of `POST /teams`: the HR group's code rides in the Description."""
    return {"Id": "", "Name": name, "Description": str(ref)}


def created_id(body: Any) -> RemoteId:
    """The `Id` of a create's answer."""
    if not isinstance(body, dict):
        raise FatalError("Litmos's answer to a create carries no object")
    return remote_id(body.get("Id"))


def text(value: object) -> str:
    return "" if value is None else str(value)
