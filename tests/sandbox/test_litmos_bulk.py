"""Litmos user imports (`/bulkimports`): the spec's UserImports body and 2000 KB limit, an
import processed later on the simulator's clock (Pending, Processing, Completed), rows by
team and course bulk-import codes, duplicates and invalid emails counted and listed by
`usererrors` (paged), the emails an import sends, and unknown ids refused with the spec's
words. Each test calls the simulator directly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.sandbox import LitmosSimulator
from syncd.sandbox.core import ManualClock
from syncd.sandbox.litmos import SentMessage, bulk, words

IMPORTS = "/v1.svc/bulkimports"
QUEUE, PER_ROW = 5.0, 0.05  # the schedule these tests give the simulator
# The spec's UserBulkImport, every key.
SHOWN = ("Id", "ImportDate", "Status", "TotalRecords", "TotalUsersCreated", "Failed",
         "Duplicate", "InvalidEmail", "SendEmails", "SkipFirstLogin")  # fmt: skip


@pytest.fixture
def litmos(clock: ManualClock) -> LitmosSimulator:
    """Imports wait 5 s, then take 50 ms a row."""
    return LitmosSimulator(clock=clock, import_timing=(QUEUE, PER_ROW))


def _row(n: int, **fields: object) -> dict[str, object]:
    return {"Username": f"user{n}", "Email": f"user{n}@acme.test", "FirstName": "F",
            "LastName": f"L{n}", **fields}  # fmt: skip


def _post(client: httpx.Client, rows: list[Any], **query: str) -> httpx.Response:
    return client.post(IMPORTS, params={"sendmessage": "false", **query}, json={"UserImport": rows})


def _refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["Detail"]


def _done(client: httpx.Client, clock: ManualClock, rows: list[Any], **q: str) -> dict[str, Any]:
    """Post an import, let it complete, and return its status."""
    job = _post(client, rows, **q).json()
    clock.advance(QUEUE + PER_ROW * len(rows))
    answer: dict[str, Any] = client.get(f"{IMPORTS}/{job['Id']}").json()
    return answer


def test_an_import_is_pending_then_processing_then_completed(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    response = _post(litmos_client, [_row(1), _row(2)], skipfirstlogin="true")
    assert response.status_code == 200
    job = response.json()
    assert set(job) == set(SHOWN)
    assert (job["Status"], job["TotalRecords"], job["TotalUsersCreated"]) == ("Pending", 2, 0)
    assert (job["SendEmails"], job["SkipFirstLogin"]) == (False, True)
    status = f"{IMPORTS}/{job['Id']}"
    clock.advance(QUEUE)
    assert litmos_client.get(status).json()["Status"] == "Processing"
    assert litmos.snapshot().users == ()  # nothing applied before the import completes
    clock.advance(2 * PER_ROW)
    done = litmos_client.get(status).json()
    assert (done["Status"], done["TotalUsersCreated"], done["Failed"]) == ("Completed", 2, 0)
    assert [u[0] for u in litmos.snapshot().users] == ["user1", "user2"]
    user_id = litmos_client.get("/v1.svc/users", params={"search": "user1"}).json()[0]["Id"]
    assert litmos.user_record(user_id)["SkipFirstLogin"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"UserImport": [{"Email": "a@acme.test", "FirstName": "A"}]},  # LastName required
        {"UserImport": [{"Email": "a@acme.test", "LastName": "A"}]},  # FirstName required
        {"UserImport": [{"FirstName": "A", "LastName": "A"}]},  # Email required
        {"UserImport": [_row(1, Active="yes")]},
        {"UserImport": []},
        {"User": [_row(1)]},
        [_row(1)],
    ],
)
def test_a_body_the_spec_refuses_is_400_and_imports_nothing(
    litmos: LitmosSimulator, litmos_client: httpx.Client, body: object
) -> None:
    response = litmos_client.post(IMPORTS, params={"sendmessage": "false"}, json=body)
    assert _refusal(response) == (400, words.SPEC_BAD_REQUEST)
    assert litmos.state.imports == {}


def test_a_body_over_2000_kb_is_400(litmos: LitmosSimulator, litmos_client: httpx.Client) -> None:
    rows = [_row(n, CompanyName="x" * 500) for n in range(3700)]
    size = len(httpx.Request("POST", "/", json={"UserImport": rows}).content)
    assert size > bulk.MAX_BYTES
    assert _refusal(_post(litmos_client, rows)) == (400, words.SPEC_BAD_REQUEST)
    assert _post(litmos_client, rows[:3000]).status_code == 200  # under the limit


def test_rows_name_teams_and_courses_by_their_bulk_import_codes(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    team = litmos.seed_team("Sales EMEA")
    course = litmos.seed_course("SEC-101", "Security")
    team_code = litmos_client.get("/v1.svc/teams").json()[0]["TeamCodeForBulkImport"]
    course_code = litmos_client.get(f"/v1.svc/courses/{course}").json()["CourseCodeForBulkImport"]
    rows = [
        _row(1, Team1=team_code, Course1=course_code),
        _row(2, Team1=team),  # a team's id is not its bulk-import code
        _row(3, Course3=course),
    ]
    done = _done(litmos_client, clock, rows)
    assert (done["TotalUsersCreated"], done["Failed"]) == (1, 2)
    snapshot = litmos.snapshot()
    assert snapshot.members == (("Sales EMEA", "user1"),)
    assert snapshot.assignments == (("user1", "SEC-101", False, None),)
    assert [u[0] for u in snapshot.users] == ["user1"]  # a failed row creates nothing
    errors = litmos_client.get(f"{IMPORTS}/{done['Id']}/usererrors").json()
    assert errors == [
        {"Username": "user2", "ImporStatus": bulk.NO_TEAM},
        {"Username": "user3", "ImporStatus": bulk.NO_COURSE},
    ]


def test_duplicates_and_invalid_emails_are_counted_and_listed(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    litmos.seed_user("user1@acme.test", "F", "L", "user1@acme.test")
    rows = [
        {"Email": "user1@acme.test", "FirstName": "F", "LastName": "L"},  # known by its email
        _row(2),
        _row(2),  # a username an earlier row of the import made
        _row(3, Email="not-an-email"),
        _row(4, Username="ab"),
    ]
    done = _done(litmos_client, clock, rows)
    counts = ("TotalUsersCreated", "Failed", "Duplicate", "InvalidEmail")
    assert [done[name] for name in counts] == [1, 4, 2, 1]
    errors = litmos_client.get(f"{IMPORTS}/{done['Id']}/usererrors").json()
    assert [(e["Username"], e["ImporStatus"]) for e in errors] == [
        ("user1@acme.test", bulk.DUPLICATE),
        ("user2", bulk.DUPLICATE),
        ("user3", bulk.INVALID_EMAIL),
        ("ab", bulk.INVALID_USERNAME),
    ]


def test_a_row_naming_an_existing_account_updates_it_as_a_put_would(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    """The spec's "create and/or update": a row whose `Username` names an account
    (ignoring case) updates it. Decided, the strictest reading: as a PUT applies its body,
    each field the row carries is set (the username's spelling, and an empty value, which
    blanks its field, included) and a field it leaves out takes its default; its teams and
    courses are added, none taken away; no login email (for "new users" only)."""
    user = litmos.seed_user("user1", "F", "L", "user1@acme.test", CustomField3="CC-7", City="Oslo")
    kept, team = litmos.seed_team("Kept"), litmos.seed_team("Sales EMEA")
    litmos.add_team_member(kept, user)
    course = litmos.seed_course("SEC-101", "Security")
    team_code = next(
        t["TeamCodeForBulkImport"]
        for t in litmos_client.get("/v1.svc/teams").json()
        if t["Id"] == team
    )
    course_code = litmos_client.get(f"/v1.svc/courses/{course}").json()["CourseCodeForBulkImport"]
    row = _row(1, Username="USER1", FirstName="New", LastName="Name", Email="new@acme.test")
    row |= {"Active": False, "City": "", "Team1": team_code, "Course1": course_code}
    done = _done(litmos_client, clock, [row], sendmessage="true")
    assert (done["TotalUsersCreated"], done["Duplicate"], done["Failed"]) == (0, 0, 0)
    record = litmos.user_record(user)
    assert (record["UserName"], record["FirstName"], record["LastName"]) == ("USER1", "New", "Name")
    assert (record["Email"], record["Active"], record["City"]) == ("new@acme.test", False, "")
    assert record["CustomField3"] == ""  # not in the row: reset, as a PUT leaving it out
    again = _row(1, Username="USER1", FirstName="New", LastName="Name", Email="new@acme.test")
    _done(litmos_client, clock, [again | {"Active": True}])
    _done(litmos_client, clock, [again])  # Active left out: its default
    assert litmos.user_record(user)["Active"] is False
    snapshot = litmos.snapshot()
    assert set(snapshot.members) == {("Kept", "USER1"), ("Sales EMEA", "USER1")}
    assert snapshot.assignments == (("USER1", "SEC-101", False, None),)
    assert [m.kind for m in litmos.sent_messages] == ["course"]  # no login email


def test_a_row_without_username_is_known_by_its_email(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    row = {"Email": "ann@acme.test", "FirstName": "Ann", "LastName": "Archer"}
    assert _done(litmos_client, clock, [row])["TotalUsersCreated"] == 1
    assert litmos.snapshot().users == (("ann@acme.test", "Ann", "Archer", "ann@acme.test", True),)


def test_a_field_the_sandbox_does_not_model_fails_its_row(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    done = _done(litmos_client, clock, [_row(1, AccessLevel=3), _row(2, Title="Clerk")])
    assert (done["TotalUsersCreated"], done["Failed"]) == (1, 1)
    errors = litmos_client.get(f"{IMPORTS}/{done['Id']}/usererrors").json()
    assert errors == [{"Username": "user1", "ImporStatus": bulk.NOT_MODELLED}]


def test_user_errors_are_listed_once_completed_and_paged(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    rows = [_row(n, Email=f"bad{n}") for n in range(5)]
    job = _post(litmos_client, rows).json()
    errors = f"{IMPORTS}/{job['Id']}/usererrors"
    assert litmos_client.get(errors).json() == []  # nothing processed yet
    clock.advance(QUEUE + PER_ROW * 5)
    page = litmos_client.get(errors, params={"start": 3, "limit": 2}).json()
    assert [e["Username"] for e in page] == ["user3", "user4"]
    assert litmos_client.get(errors, params={"start": 5}).json() == []
    too_many = litmos_client.get(errors, params={"limit": 1001})
    assert _refusal(too_many) == (406, words.SPEC_TOO_MANY)


def test_an_unknown_import_is_400_with_the_spec_words(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    for path in (f"{IMPORTS}/nope", f"{IMPORTS}/nope/usererrors"):
        assert _refusal(litmos_client.get(path)) == (400, words.NO_BULK_IMPORT)
    job = _post(litmos_client, [_row(1)]).json()
    errors = f"{IMPORTS}/{job['Id']}/usererrors"
    ui = litmos_client.get(errors, params={"IsAPI": "false"})  # asks for a UI import
    assert _refusal(ui) == (400, words.NO_BULK_IMPORT)
    assert litmos_client.get(errors, params={"IsAPI": "true"}).status_code == 400


def test_emails_login_only_when_asked_courses_unless_told_not_to(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    course = litmos.seed_course("SEC-101", "Security")
    code = litmos_client.get(f"/v1.svc/courses/{course}").json()["CourseCodeForBulkImport"]
    _done(litmos_client, clock, [_row(1, Course1=code)], sendmessage="false")
    assert litmos.sent_messages == []
    litmos_client.post(IMPORTS, json={"UserImport": [_row(2, Course1=code)]})  # flag absent
    _done(litmos_client, clock, [_row(3, Course1=code)], sendmessage="true")
    users = {u["UserName"]: u["Id"] for u in litmos_client.get("/v1.svc/users").json()}
    assert litmos.sent_messages == [
        SentMessage("course", users["user2"], course),
        SentMessage("login", users["user3"]),
        SentMessage("course", users["user3"], course),
    ]


def test_recent_imports_are_listed_newest_first(
    litmos_client: httpx.Client, clock: ManualClock
) -> None:
    first = _post(litmos_client, [_row(1)]).json()["Id"]
    clock.advance(1)
    second = _post(litmos_client, [_row(2)]).json()["Id"]
    listed = litmos_client.get(IMPORTS, params={"limit": 10}).json()
    assert [job["Id"] for job in listed] == [second, first]


def test_a_pending_import_survives_a_dump_and_load(
    litmos: LitmosSimulator, litmos_client: httpx.Client, clock: ManualClock
) -> None:
    _post(litmos_client, [_row(1)])
    restored = LitmosSimulator(clock=clock, import_timing=(QUEUE, PER_ROW))
    restored.load_state(litmos.dump_state())
    clock.advance(QUEUE + PER_ROW)
    assert [u[0] for u in restored.snapshot().users] == ["user1"]
