"""JSON shapes of Litmos records, with the field names the captures show.

`user_full`/`user_item` follow create-new-user.yml and the list captures,
`team_full`/`team_item` add the spec's ParentTeamId to the captured keys,
`result_detail` follows the spec's /results/details item and `achievement` the spec's
Achievement schema. Pure functions.
"""

from __future__ import annotations

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

_BLANK_USER_TEXT = [
    "Skype",
    "PhoneWork",
    "PhoneMobile",
    "LastLogin",
    "Password",
    "Street1",
    "Street2",
    "City",
    "State",
    "PostalCode",
    "Country",
    "CompanyName",
    "JobTitle",
]


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


def user_full(user: User) -> Json:
    body: Json = {**user_item(user), "FullName": f"{user.first} {user.last}".strip()}
    body.update(dict.fromkeys(_BLANK_USER_TEXT, ""))
    body.update({f"CustomField{n}": "" for n in range(1, 11)})
    body.update(
        {
            "DisableMessages": True,
            "LoginKey": f"https://sandbox.litmos.test/login.aspx?loginkey={user.id}",
            "IsCustomUsername": False,
            "SkipFirstLogin": False,
            "TimeZone": "UTC",
            "SalesforceId": None,
            "OriginalId": user.original_id,
            "Culture": "en-US",
            "SalesforceContactId": None,
            "SalesforceAccountId": None,
            "CreatedDate": utc_text(user.created_at),
            "Points": 0,
        }
    )
    return body


def team_full(team: Team) -> Json:
    return {
        "Id": team.id,
        "Name": team.name,
        "Description": team.description,
        "ParentTeamId": team.parent_id,
    }


def team_item(team: Team) -> Json:
    return {
        "Id": team.id,
        "Name": team.name,
        "TeamCodeForBulkImport": f"{team.original_id}-{team.name.replace(' ', '')}",
        "ParentTeamId": team.parent_id,
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
        "CourseCodeForBulkImport": f"{course.original_id}-{course.code}",
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
        "LoginKey": f"https://sandbox.litmos.test/login.aspx?loginkey={user.id}",
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
