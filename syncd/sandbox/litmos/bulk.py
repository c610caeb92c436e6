"""Handlers of /v1.svc/bulkimports: user imports, processed later on the simulator's clock.

`POST /bulkimports` takes the spec's `UserImports` (`{"UserImport": [...]}`; each row needs
Email, FirstName, LastName; a row whose `Username` names an account updates it, one that
does not creates one), at most 2,000,000 bytes of body (spec: "2000 KB can be
processed in a single import"), and answers 200 with its `UserBulkImport`, status
`Pending`. It stays `Pending` for `state.import_queue` seconds, is `Processing` for
`state.import_per_row` seconds a row, then its rows are applied at once and it is
`Completed` with its counts; `usererrors` lists each failed row (`Username`, `ImporStatus`,
the spec's spelling). `settle` applies what is due: the app calls it before every request
and every view. Each rule and its source: docs/lms/litmos.md. Under the app lock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from syncd.sandbox.litmos import render, words
from syncd.sandbox.litmos.learning import assign
from syncd.sandbox.litmos.profile import from_body
from syncd.sandbox.litmos.state import BulkImport, LitmosState, SentMessage, User, utc_text
from syncd.sandbox.litmos.userchecks import EMAIL, MIN_USERNAME, USERNAME
from syncd.sandbox.litmos.users import add_user, body_object, flag
from syncd.sandbox.litmos.wire import page
from syncd.sandbox.messages import HttpError, Request, Response

MAX_BYTES = 2_000_000  # "2000 KB", read as 1000-byte KB: the stricter of the two readings
TEAMS = tuple(f"Team{n}" for n in range(1, 6))
COURSES = tuple(f"Course{n}" for n in range(1, 4))
# Row fields the simulator keeps, by the User field each fills (decided: the plain match).
KEPT = {
    "Username": "UserName", "Email": "Email", "FirstName": "FirstName",
    "LastName": "LastName", "Active": "Active", "Skype": "Skype", "Phone": "PhoneWork",
    "Mobile": "PhoneMobile", "Title": "JobTitle", "CompanyName": "CompanyName",
    "WebSite": "Website", "Twitter": "Twitter", "Address1": "Street1",
    "Address2": "Street2", "City": "City", "State": "State", "Zip": "PostalCode",
    "Country": "Country", "Brand": "Brand", "ExternalEmployeeId": "ExternalEmployeeId",
    **{f"CustomField{n}": f"CustomField{n}" for n in range(1, 11)},
}  # fmt: skip
# What `usererrors` says of a failed row (decided, in the spec example's "Failed - …" form).
DUPLICATE = "Failed - Duplicate Username"
INVALID_EMAIL = "Failed - Invalid Email"
INVALID_USERNAME = "Failed - Invalid Username"
NO_TEAM = "Failed - Team not found"
NO_COURSE = "Failed - Course not found"
NOT_MODELLED = "Failed - Unknown Error"  # a field the sandbox does not model (AccessLevel…)


def create_import(state: LitmosState, request: Request) -> Response:
    """Queue an import of a validated `UserImports` body (none of its rows applied yet)."""
    if int(request.header("content-length") or 0) > MAX_BYTES:
        raise HttpError(400, words.SPEC_BAD_REQUEST)
    rows = body_object(request)["UserImport"]
    if not rows:
        raise HttpError(400, words.SPEC_BAD_REQUEST)
    now = state.clock()
    processing = now + state.import_queue
    job = BulkImport(
        state.next_import_id(),
        now,
        [dict(row) for row in rows],
        flag(request, "sendmessage"),
        flag(request, "skipfirstlogin") is True,
        processing,
        processing + state.import_per_row * len(rows),
    )
    state.imports[job.id] = job
    return Response(200, shown(job, now))


def get_import(state: LitmosState, request: Request) -> Response:
    return Response(200, shown(_job(state, request), state.clock()))


def list_imports(state: LitmosState, request: Request) -> Response:
    """Recent imports, newest first (decided: "a list of recent user import jobs")."""
    now = state.clock()
    jobs = sorted(state.imports.values(), key=lambda job: -job.created_at)
    return Response(200, page(request, [shown(job, now) for job in jobs]))


def import_errors(state: LitmosState, request: Request) -> Response:
    """The failed rows of an import (none until it completes), paged. `IsAPI` may only be
    sent as false ("Do not include the parameter unless the value is set to false"), which
    asks for an import made in the UI: the simulator has none, so that id is not found."""
    job = _job(state, request)
    if request.arg("IsAPI") is not None:
        ui_only = flag(request, "IsAPI") is False
        raise HttpError(400, words.NO_BULK_IMPORT if ui_only else words.SEED_BAD_REQUEST)
    errors = [{"Username": name, "ImporStatus": why} for name, why in job.errors]
    return Response(200, page(request, errors))


def _job(state: LitmosState, request: Request) -> BulkImport:
    job = state.imports.get(request.params["bulkImportId"])
    if job is None:
        raise HttpError(400, words.NO_BULK_IMPORT)
    return job


def shown(job: BulkImport, now: float) -> dict[str, object]:
    """The spec's `UserBulkImport`."""
    return {
        "Id": job.id,
        "ImportDate": utc_text(job.created_at),
        "Status": job.status(now),
        "TotalRecords": len(job.rows),
        "TotalUsersCreated": job.created,
        "Failed": len(job.errors),
        "Duplicate": job.duplicate,
        "InvalidEmail": job.invalid_email,
        "SendEmails": job.send_message is True,
        "SkipFirstLogin": job.skip_first_login,
    }


def settle(state: LitmosState) -> None:
    """Apply every import whose processing is over, oldest first."""
    now = state.clock()
    for job in sorted(state.imports.values(), key=lambda job: job.created_at):
        if not job.done and now >= job.completes_at:
            made: set[str] = set()  # usernames its rows created, casefolded
            for row in job.rows:
                _import_row(state, job, row, made)
            job.done = True


def _import_row(state: LitmosState, job: BulkImport, row: dict[str, Any], made: set[str]) -> None:
    username = str(row.get("Username") or row["Email"])
    teams, courses = _codes(state, row, TEAMS, "team"), _codes(state, row, COURSES, "course")
    account = _account(state, row, made)
    refused = _refusal(state, row, (username, account), teams, courses)
    if refused is not None:
        job.errors.append((username, refused))
        job.duplicate += refused == DUPLICATE
        job.invalid_email += refused == INVALID_EMAIL
        return
    if account is not None:
        _update(state, job, row, account, (teams, courses))
        return
    made.add(username.casefold())
    _create(state, job, row, username, (teams, courses))
    job.created += 1


def _account(state: LitmosState, row: dict[str, Any], made: set[str]) -> User | None:
    """The account a row updates: the one its `Username` names (ignoring case, as Litmos
    compares usernames), made before this import. Decided, the strictest reading of "create
    and/or update": only `Username` finds an account (a row without one is known by its
    email and creates, or is a duplicate); an account an earlier row of the same import made
    is not updated (that row is a duplicate)."""
    wanted = str(row.get("Username") or "").casefold()
    if not wanted or wanted in made:
        return None
    return next((u for u in state.users.values() if u.username.casefold() == wanted), None)


def _refusal(
    state: LitmosState,
    row: dict[str, Any],
    who: tuple[str, User | None],
    teams: list[str],
    courses: list[str],
) -> str | None:
    """Why a row is not imported (first reason found), or None. The whole row fails: no
    part of it is applied (decided, the strictest reading)."""
    username, account = who
    if any(name not in KEPT and name not in TEAMS + COURSES for name in row):
        return NOT_MODELLED
    if len(username) < MIN_USERNAME or not USERNAME.match(username):
        return INVALID_USERNAME
    if not EMAIL.match(str(row["Email"])):
        return INVALID_EMAIL
    if account is None and state.username_taken(username):
        return DUPLICATE
    if "" in teams:
        return NO_TEAM
    return NO_COURSE if "" in courses else None


def _codes(
    state: LitmosState, row: dict[str, Any], columns: tuple[str, ...], kind: str
) -> list[str]:
    """The ids of the teams (or courses) a row names by their bulk-import code; "" for a code
    nothing has."""
    if kind == "team":
        known = {render.team_code(t): t.id for t in state.teams.values()}
    else:
        known = {render.course_code(c): c.id for c in state.courses.values()}
    return [known.get(str(row[column]), "") for column in columns if row.get(column)]


def _update(
    state: LitmosState,
    job: BulkImport,
    row: dict[str, Any],
    account: User,
    places: tuple[list[str], list[str]],
) -> None:
    """A row for an existing account (decided, the strictest reading; docs/lms/litmos.md
    "User imports"): applied as `PUT /users/{userId}` applies its body: each field the row
    carries is set, an empty one blanks its field, and every field it leaves out takes its
    default, `Active` included (no source says an update row keeps what it does not name).
    Its teams and courses are added, none taken away; no login email (the spec's
    `sendmessage` is for "new users"), course emails as for a create."""
    fields = {KEPT[name]: value for name, value in row.items() if name in KEPT}
    state.users[account.id] = replace(account, profile=from_body(fields))
    _place(state, job, account.id, places)


def _place(
    state: LitmosState, job: BulkImport, user_id: str, places: tuple[list[str], list[str]]
) -> None:
    teams, courses = places
    state.members.update((team_id, user_id) for team_id in teams)
    for course_id in dict.fromkeys(courses):
        assign(state, user_id, course_id)
        if job.send_message is not False:
            state.sent.append(SentMessage("course", user_id, course_id))


def _create(
    state: LitmosState,
    job: BulkImport,
    row: dict[str, Any],
    username: str,
    places: tuple[list[str], list[str]],
) -> None:
    """The user (a Learner in the account's UTC, decided), their teams and courses, and the
    emails: a login email only with `sendmessage=true` (the spec's words), a course email
    per course unless `sendmessage=false` (as a course assignment: "By default, emails will
    be sent")."""
    fields = {KEPT[name]: value for name, value in row.items() if name in KEPT}
    body = {"AccessLevel": "Learner", "TimeZone": "UTC", "Active": True, **fields}
    profile = {**from_body(body), "UserName": username, "SkipFirstLogin": job.skip_first_login}
    user = add_user(state, profile)
    if job.send_message is True:
        state.sent.append(SentMessage("login", user.id))
    _place(state, job, user.id, places)
