"""Docebo list items -> syncd records, read tolerantly: one spelling table per resource.

Docebo's answers differ by era and client: the 2017 SDK's models, today's columns (as
ingestr reads them), a live tenant's. Each table below lists, per field, the keys it
may come under, tried in order, with the source that shows each; `spelling.Field`
takes the first present and fails loudly, naming the item's keys, when none is.
Pure functions, no I/O; ids become strings, as RemoteId is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncd.connectors.docebo.spelling import Field, Table, said
from syncd.connectors.progress import score, utc_time
from syncd.errors import FatalError, SkippableError
from syncd.records import (
    EnrollmentStatus,
    GroupKind,
    Progress,
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteId,
    RemoteMembership,
    RemoteUser,
)

__all__ = ["score", "utc_time"]

ROOT = RemoteId("0")
JsonObject = Mapping[str, Any]

SDK = "maspuce/docebo-php-sdk (2017) docs/Model/"
INGESTR = "bruin-data/ingestr docebo_resources.go"
INGESTR_GO = "bruin-data/ingestr docebo.go"
LIVE = "riccardo-larosa/docebo-mcp-server api-contract.test.ts (a live tenant)"
FLAT_CLIENT = "a live tenant's flattened orgchart client (code index file 12253352703)"
DECIDED = "syncd's simulator, decided (docs/lms/docebo.md)"
LMS_APIS = "shared/reference/lms-apis.md"

USER = Table(
    "user",
    (
        Field("id", (said("user_id", f"{SDK}ManageUserIndexItems", f"{INGESTR} users"),)),
        Field("username", (said("username", f"{SDK}ManageUserIndexItems", f"{INGESTR} users"),)),
        Field("email", (said("email", f"{SDK}ManageUserIndexItems", f"{INGESTR} users"),)),
        Field(
            "first name",
            (
                said("first_name", f"{INGESTR} users", f"{LMS_APIS} 1.3"),
                said("firs_tname", f"{SDK}ManageUserIndexItems (the SDK's typo)"),
                said("firstname", f"{SDK}ManageUserCreateSchema, ManageUserBatchItems"),
            ),
        ),
        Field(
            "last name",
            (
                said("last_name", f"{SDK}ManageUserIndexItems", f"{INGESTR} users"),
                said("lastname", f"{SDK}ManageUserCreateSchema, ManageUserBatchItems"),
            ),
        ),
        Field("status", (said("status", f"{SDK}ManageUserIndexItems: 0/1", f"{INGESTR} users"),)),
    ),
)

BRANCH = Table(
    "branch",
    (
        Field(
            "id",
            (
                said("id_org", f"{INGESTR} branches"),
                said("id", f"{SDK}ManageOrgchartIndexItems", FLAT_CLIENT),
            ),
        ),
        Field("code", (said("code", f"{SDK}ManageOrgchartIndexItems", f"{INGESTR} branches"),)),
        Field(
            "name",
            (
                said("translation", f"{INGESTR} branches (names by language)"),
                said("title", f"{SDK}ManageOrgchartIndexItems", FLAT_CLIENT),
                said("translations", f"{SDK}ManageOrgchartCreateSchema (what syncd writes)"),
                said("name", f"{LMS_APIS} 1.4 (orgchart batch items)"),
            ),
        ),
        Field("parent", (said("id_parent", f"{INGESTR} branches", DECIDED),), required=False),
        Field(
            "left",
            (said("lft", f"{INGESTR} branches"), said("i_left", f"{SDK}ManageOrgchartIndexItems")),
            required=False,
        ),
        Field(
            "right",
            (said("rgt", f"{INGESTR} branches"), said("i_right", f"{SDK}ManageOrgchartIndexItems")),
            required=False,
        ),
        Field("level", (said("lev", f"{SDK}ManageOrgchartIndexItems"),), required=False),
    ),
)

GROUP = Table(
    "group",
    (
        Field(
            "id",
            (
                said("group_id", f"{INGESTR} groups (audiences)", DECIDED),
                said("audience_id", f"{INGESTR_GO} readGroupMembers"),
                said("id", f"{INGESTR_GO} readGroupMembers"),
            ),
        ),
        Field("name", (said("name", f"{INGESTR} groups", DECIDED),)),
    ),
)

MEMBER = Table(
    "member",
    (
        Field(
            "user id",
            (
                said(
                    "user_id",
                    f"{INGESTR} group_members",
                    f"{SDK}ManageOrgchartGetUsersInBranchItems",
                ),
            ),
        ),
    ),
)

COURSE = Table(
    "course",
    (
        Field(
            "id",
            (
                said("id_course", f"{SDK}LearnCourseIndexItems", LIVE, f"{INGESTR} courses"),
                said("course_id", f"{INGESTR_GO} readCourseEnrollments"),
                said("id", f"{LMS_APIS} 1.2 (some answers carry id)"),
            ),
        ),
        Field("code", (said("code", f"{INGESTR} courses", DECIDED),)),
        Field("name", (said("name", f"{SDK}LearnCourseIndexItems", f"{INGESTR} courses"),)),
    ),
)

ENROLLMENT = Table(
    "enrollment",
    (
        Field(
            "course id",
            (
                said("course_id", f"{INGESTR} course_enrollments"),
                said("id", f"{SDK}LearnEnrollmentIndexItems", f"{LIVE}: id, not id_course"),
            ),
        ),
        Field(
            "user id",
            (said("user_id", f"{SDK}LearnEnrollmentIndexItems", f"{INGESTR} course_enrollments"),),
        ),
        Field(
            "status",
            (
                said("enrollment_status", f"{INGESTR_GO}: extra_fields[]=enrollment_status"),
                said("status", f"{SDK}LearnEnrollmentIndexItems", f"{INGESTR} course_enrollments"),
            ),
        ),
        Field(
            "enrolled at",
            (
                said("enroll_begin_date", f"{SDK}LearnEnrollmentIndexItems"),
                said("enrollment_date", f"{INGESTR} course_enrollments"),
            ),
            required=False,
        ),
        Field(
            "completed at",
            (
                said("course_complete_date", f"{SDK}LearnEnrollmentIndexItems"),
                said("completion_date", f"{INGESTR} course_enrollments"),
            ),
            required=False,
        ),
        Field(
            "score",
            (
                said("score", f"{SDK}LearnEnrollmentIndexItems"),
                said("score_given", f"{INGESTR} course_enrollments"),
            ),
            required=False,
        ),
    ),
)

TABLES = (USER, BRANCH, GROUP, MEMBER, COURSE, ENROLLMENT)


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


# --- users, groups, members, courses ---------------------------------------------------------


def user(item: JsonObject) -> RemoteUser:
    return RemoteUser(
        remote_id=RemoteId(USER.ident(item, "id")),
        username=USER.text(item, "username"),
        email=USER.text(item, "email"),
        first_name=USER.text(item, "first name"),
        last_name=USER.text(item, "last name"),
        active=is_active(USER.read(item, "status")),
    )


def is_active(status: object) -> bool:
    """Docebo's user status: 1 (or "1") is active; 0 and anything else is suspended."""
    return status is True or (not isinstance(status, bool) and str(status) == "1")


def group(item: JsonObject) -> RemoteGroup:
    return RemoteGroup(
        remote_id=RemoteId(GROUP.ident(item, "id")),
        kind=GroupKind.GROUP,
        name=GROUP.text(item, "name"),
    )


def member(kind: GroupKind, group_id: RemoteId, item: JsonObject) -> RemoteMembership:
    return RemoteMembership(kind, group_id, RemoteId(MEMBER.ident(item, "user id")))


def course(item: JsonObject) -> RemoteCourse:
    code, name = COURSE.text(item, "code"), COURSE.text(item, "name")
    return RemoteCourse(RemoteId(COURSE.ident(item, "id")), code, name)


# --- enrollments -----------------------------------------------------------------------------


LEARNING_PLAN = "learning_plan"  # an item `type` of `/learn/v1/enrollments` (LMS_APIS 1.6)


def in_a_course(item: JsonObject) -> bool:
    """Whether an item of the one `/learn/v1/enrollments` list is a course's: that list also
    holds learning-plan enrollments (`type` "learning_plan", their `id` a plan's, SDK
    LearnEnrollmentIndexItems); an item without `type` is a course's."""
    kind = item.get("type")
    return not (isinstance(kind, str) and kind.strip().lower() == LEARNING_PLAN)


def enrollment(item: JsonObject, course_id: RemoteId | None = None) -> RemoteEnrollment:
    """An enrollment item with the learner's progress it carries; `course_id` is the course of
    a per-course list (its path names the course), else the item's own."""
    raw = _STATUS.read(item, ENROLLMENT.what)  # the status, read once for both its uses
    return RemoteEnrollment(
        course_remote_id=course_id or RemoteId(ENROLLMENT.ident(item, "course id")),
        user_remote_id=RemoteId(ENROLLMENT.ident(item, "user id")),
        status=enrollment_status(raw),
        progress=_progress(item, raw),
    )


def progress(item: JsonObject) -> Progress:
    """The progress fields of an enrollment item, each read on its own.

    The enrollment date is when the learner was enrolled; the completion date when they
    completed, taken as sent even if the status says otherwise. An empty, null or
    unparseable field is None and changes nothing else: the status comes from its field.
    """
    return _progress(item, _STATUS.read(item, ENROLLMENT.what))


def _progress(item: JsonObject, raw_status: object) -> Progress:
    return Progress(
        enrolled_at=utc_time(_ENROLLED_AT.read(item, ENROLLMENT.what)),
        completed_at=utc_time(_COMPLETED_AT.read(item, ENROLLMENT.what)),
        score=score(_SCORE.read(item, ENROLLMENT.what)),
        raw_status=raw_text(raw_status),
    )


_STATUS, _ENROLLED_AT, _COMPLETED_AT, _SCORE = (
    ENROLLMENT.field(name) for name in ("status", "enrolled at", "completed at", "score")
)


def raw_text(raw: object) -> str | None:
    """A field as Docebo sent it, as text (the legacy integer statuses too); null is None."""
    return None if raw is None or raw == "" else str(raw)


# Docebo's enrollment statuses (API strings; older tenants send the legacy integers).
_STATUSES = {
    **dict.fromkeys(("subscribed", "0", "waiting", "overbooking"), EnrollmentStatus.ENROLLED),
    **dict.fromkeys(("in_progress", "1"), EnrollmentStatus.IN_PROGRESS),
    **dict.fromkeys(("completed", "2"), EnrollmentStatus.COMPLETED),
    "failed": EnrollmentStatus.FAILED,
}


def enrollment_status(raw: object) -> EnrollmentStatus:
    """Docebo's status in syncd's words; an unknown one counts as started: never removed."""
    return _STATUSES.get(str(raw).lower(), EnrollmentStatus.IN_PROGRESS)
