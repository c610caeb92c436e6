"""JSON shapes of Litmos records, with the keys the captures show.

`user_item` and `user_full` follow the list captures and create-new-user.yml (plus a
spec field a user holds a value in, as mark-module-complete.yml shows Brand);
`team_full` and `team_item` carry exactly the captured keys (no ParentTeamId: no capture
has it); `result_detail` follows the spec's /results/details item and `achievement` the
spec's Achievement schema. Pure functions.
"""

from __future__ import annotations

from syncd.sandbox.litmos.profile import SHOWN_WHEN_SET, full_name, is_set
from syncd.sandbox.litmos.state import (
    Achievement,
    Assignment,
    Course,
    LitmosState,
    Team,
    User,
    utc_text,
)

Json = dict[str, object]
ACHIEVEMENT_RESULT = "Complete"
ACHIEVEMENT_TYPE = "Course Completed"

# The keys of the user create-new-user.yml answers, in its order.
CAPTURED_USER_KEYS = (
    "Id", "UserName", "FirstName", "LastName", "FullName", "Email", "AccessLevel",
    "DisableMessages", "Active", "Skype", "PhoneWork", "PhoneMobile", "LastLogin",
    "LoginKey", "IsCustomUsername", "Password", "SkipFirstLogin", "TimeZone",
    "SalesforceId", "OriginalId", "Street1", "Street2", "City", "State", "PostalCode",
    "Country", "CompanyName", "JobTitle", "CustomField1", "CustomField2", "CustomField3",
    "Culture", *(f"CustomField{n}" for n in range(4, 11)), "SalesforceContactId",
    "SalesforceAccountId", "CreatedDate", "Points",
)  # fmt: skip


def user_item(user: User) -> Json:
    return {
        "Id": user.id,
        "UserName": user.username,
        "FirstName": user.first,
        "LastName": user.last,
        "Active": user.active,
        "Email": user.email,
        "AccessLevel": user.access_level,
    }


def login_key(user: User) -> str:
    return f"https://sandbox.litmos.test/login.aspx?loginkey={user.id}"


def user_full(state: LitmosState, user: User) -> Json:
    """The whole user as GET /users/{userId} shows it: the captured keys, then each
    spec-only field that holds a value. The user never logged in; no password is shown."""
    values: Json = {
        **user.profile,
        "Id": user.id,
        "FullName": full_name(user.profile),
        "LastLogin": "",
        "LoginKey": login_key(user),
        "Password": "",
        "OriginalId": user.original_id,
        "CreatedDate": utc_text(user.created_at),
        "ManagerName": _manager_name(state, user),
    }
    body = {key: values[key] for key in CAPTURED_USER_KEYS}
    body.update({key: values[key] for key in SHOWN_WHEN_SET if is_set(key, values[key])})
    return body


def _manager_name(state: LitmosState, user: User) -> str:
    manager = state.users.get(str(user.profile["ManagerId"]))
    return manager.username if manager is not None else ""


def team_full(team: Team) -> Json:
    return {"Id": team.id, "Name": team.name, "Description": team.description}


def team_code(team: Team) -> str:
    """`TeamCodeForBulkImport`: the original id, a dash, the name without spaces (captures)."""
    return f"{team.original_id}-{team.name.replace(' ', '')}"


def course_code(course: Course) -> str:
    """`CourseCodeForBulkImport`: the original id, a dash, the code (mark-module-complete.yml)."""
    return f"{course.original_id}-{course.code}"


def team_item(team: Team) -> Json:
    return {
        "Id": team.id,
        "Name": team.name,
        "TeamCodeForBulkImport": team_code(team),
    }


def course_full(course: Course) -> Json:
    return {
        "Id": course.id,
        "Code": course.code,
        "Name": course.name,
        "Active": True,
        "ForSale": False,
        "OriginalId": course.original_id,
        "Description": "",
        "EcommerceShortDescription": "",
        "EcommerceLongDescription": "",
        "CourseCodeForBulkImport": course_code(course),
        "Price": 0.0,
        "AccessTillDate": None,
        "AccessTillDays": None,
    }


def _date(moment: float | None) -> str | None:
    return None if moment is None else utc_text(moment)


def user_course(course: Course, assignment: Assignment) -> Json:
    return {
        "Id": course.id,
        "Code": course.code,
        "Name": course.name,
        "Active": True,
        "Complete": assignment.complete,
        "PercentageComplete": assignment.percentage,
        "AssignedDate": utc_text(assignment.assigned_at),
        "StartDate": None,
        "CompletedDate": _date(assignment.completed_at),
        "UpToDate": True,
        "Overdue": False,
        "ComplaintTill": None,
        "IsLearningPath": False,
        "ResultId": None,
        "AccessTillDate": None,
    }


def result_detail(state: LitmosState, assignment: Assignment) -> Json:
    user = state.users[assignment.user_id]
    course = state.courses[assignment.course_id]
    return {
        **user_item(user),
        "UserOriginalId": str(user.original_id),
        "LoginKey": login_key(user),
        "CourseId": course.id,
        "CourseOriginalId": str(course.original_id),
        "UpdatedDate": utc_text(assignment.updated_at),
        "Code": course.code,
        "CourseName": course.name,
        "Complete": assignment.complete,
        "PercentageComplete": str(assignment.percentage),
        "CompletedDate": _date(assignment.completed_at),
        "UpToDate": True,
        "Overdue": False,
        "CompliantTillDate": None,
    }


def achievement(state: LitmosState, record: Achievement) -> Json:
    """The spec's Achievement: `Title` is the course's name, `Score` an integer as the
    spec types it (int32, 1..100; null without a score), no certificate or compliance
    date (neither is modelled)."""
    user = state.users[record.user_id]
    course = state.courses[record.course_id]
    return {
        "AchievementId": record.id,
        "UserId": user.id,
        "FirstName": user.first,
        "LastName": user.last,
        "CourseId": course.id,
        "Title": course.name,
        "Description": "",
        "AchievementDate": utc_text(record.achieved_at),
        "ComplaintTillDate": None,
        "Score": None if record.score is None else round(record.score),
        "Result": ACHIEVEMENT_RESULT,
        "Type": ACHIEVEMENT_TYPE,
        "CertificateId": None,
    }
