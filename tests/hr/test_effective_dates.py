"""Effective dates in the HR input: `start_date`, `end_date`, `timezone` and `status = leave`
read by both sources, bad values quarantined with file, line and reason, and the import's
derivation of who the LMSs see at the cycle's moment (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from syncd.config import HrQueries
from syncd.errors import ConfigError
from syncd.hr import read_csv_source, read_sql_source
from syncd.hr.tenure import effective_people, timeline, upcoming
from syncd.records import EmployeeId, Person, Tenure
from syncd.store.schema import TenureRow
from tests.hr.hr_world import ENROLLMENTS, UNITS, HrWorld
from tests.hr.sql_tables import load_table

HEADER = "employee_id,email,first_name,last_name,status,org_unit,start_date,end_date,timezone\n"
ADA = "E1,ada@example.com,Ada,Lovelace,active,,,,\n"
GRACE = "E2,grace@example.com,Grace,Hopper,active,,2026-03-02,,Europe/Berlin\n"
UTC = dt.UTC


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


# --- reading ----------------------------------------------------------------------------


def write(folder: Path, people: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text(people, encoding="utf-8")
    return folder


def test_dates_time_zone_and_leave_are_read_and_are_not_attributes(tmp_path: Path) -> None:
    people = HEADER + ADA + GRACE + "E3,lin@example.com,Lin,Wu,leave,,,2026-12-31,\n"
    snapshot = read_csv_source(write(tmp_path / "hr", people))
    assert snapshot.quarantined == ()
    assert snapshot.tenures == (
        Tenure(EmployeeId("E2"), dt.date(2026, 3, 2), None, "Europe/Berlin"),
        Tenure(EmployeeId("E3"), None, dt.date(2026, 12, 31), None, on_leave=True),
    )
    assert all(person.attributes == () for person in snapshot.people)
    assert [person.active for person in snapshot.people] == [True, True, True]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("2026-3-02,,", "malformed start_date '2026-3-02' (use yyyy-mm-dd)"),
        (",31/12/2026,", "malformed end_date '31/12/2026' (use yyyy-mm-dd)"),
        (",2026-02-30,", "malformed end_date '2026-02-30' (use yyyy-mm-dd)"),
        ("2026-03-02,2026-03-01,", "end_date 2026-03-01 is before start_date 2026-03-02"),
        (",,Mars/Olympus", "unknown timezone 'Mars/Olympus' (use an IANA name like Europe/Berlin)"),
        (",,../etc/passwd", "unknown timezone '../etc/passwd'"),
    ],
)
def test_bad_dates_and_time_zones_are_quarantined_with_file_line_and_reason(
    tmp_path: Path, fields: str, reason: str
) -> None:
    people = HEADER + ADA + f"E2,grace@example.com,Grace,Hopper,active,,{fields}\n"
    snapshot = read_csv_source(write(tmp_path / "hr", people))
    [row] = snapshot.quarantined
    assert (row.source_file, row.line) == ("people.csv", 3)
    assert reason in row.reason
    assert [p.employee_id for p in snapshot.people] == ["E1"]
    assert snapshot.tenures == ()


def test_a_start_and_end_on_the_same_day_is_one_day(tmp_path: Path) -> None:
    people = HEADER + "E1,ada@example.com,Ada,L,active,,2026-03-02,2026-03-02,\n"
    assert read_csv_source(write(tmp_path / "hr", people)).quarantined == ()


def test_the_sql_source_reads_date_columns_and_quarantines_by_query_and_row(
    database_url: str,
) -> None:
    columns = ("employee_id", "email", "first_name", "last_name", "start_date", "timezone")
    rows: list[dict[str, object]] = [
        {**dict(zip(columns[:4], ("E1", "a@example.com", "A", "L"), strict=True))}
        | {"start_date": dt.date(2026, 3, 2), "timezone": "Asia/Tokyo"},
        {**dict(zip(columns[:4], ("E2", "b@example.com", "B", "L"), strict=True))}
        | {"start_date": None, "timezone": "Nowhere/Special"},
    ]
    table = load_table(database_url, "people", rows, columns, {"start_date": sa.Date()})
    snapshot = read_sql_source(database_url, HrQueries(people=table))
    assert snapshot.tenures == (Tenure(EmployeeId("E1"), dt.date(2026, 3, 2), None, "Asia/Tokyo"),)
    [row] = snapshot.quarantined
    assert (row.source_file, row.line) == ("sql:people", 2)
    assert row.reason.startswith("unknown timezone 'Nowhere/Special'")


# --- moments ----------------------------------------------------------------------------


def test_moments_are_midnights_in_the_person_zone() -> None:
    tenure = Tenure(EmployeeId("E1"), dt.date(2027, 1, 4), dt.date(2026, 12, 31), "Asia/Tokyo")
    line = timeline(tenure, "UTC", dt.timedelta(days=14))
    assert line.zone == "Asia/Tokyo"
    assert line.appears_at == at(2026, 12, 20, 15, 0)  # 00:00 on 2026-12-21 in Tokyo
    assert line.ends_at == at(2026, 12, 31, 15, 0)  # the end of 2026-12-31 there


def test_create_before_start_counts_local_days_across_daylight_saving() -> None:
    # Berlin moves its clocks forward on 2026-03-29: two weeks before 2026-04-06 is still
    # a midnight there, 23:00 UTC in winter time.
    tenure = Tenure(EmployeeId("E1"), dt.date(2026, 4, 6))
    line = timeline(tenure, "Europe/Berlin", dt.timedelta(days=14))
    assert line.appears_at == at(2026, 3, 22, 23, 0)


def test_a_zone_that_skips_midnight_starts_the_day_when_its_clocks_jump() -> None:
    # Santiago skips 00:00-01:00 on 2026-09-06: the day starts at 01:00 local (-03:00).
    line = timeline(
        Tenure(EmployeeId("E1"), dt.date(2026, 9, 6)), "America/Santiago", dt.timedelta(0)
    )
    assert line.appears_at == at(2026, 9, 6, 4, 0)


def test_effective_people_at_a_moment() -> None:
    def person(emp: str) -> Person:
        return Person(EmployeeId(emp), f"{emp}@x", "F", "L", f"{emp}@x")

    people = [person("E1"), person("E2"), person("E3"), person("E4")]
    tenures = [
        Tenure(EmployeeId("E2"), start_date=dt.date(2026, 2, 1)),
        Tenure(EmployeeId("E3"), end_date=dt.date(2026, 1, 31)),
        Tenure(EmployeeId("E4"), on_leave=True),
    ]
    lines = {t.employee_id: timeline(t, "UTC", dt.timedelta(0)) for t in tenures}
    before = effective_people(people, lines, at(2026, 1, 31, 23, 59))
    assert [(p.employee_id, p.active, p.on_leave) for p in before] == [
        ("E1", True, False),
        ("E3", True, False),
        ("E4", False, True),
    ]
    after = effective_people(people, lines, at(2026, 2, 1))
    assert [(p.employee_id, p.active) for p in after] == [
        ("E1", True),
        ("E2", True),
        ("E3", False),
        ("E4", False),
    ]


def test_upcoming_lists_the_next_changes_first_first_and_at_most_so_many() -> None:
    tenures = [
        Tenure(EmployeeId("E1042"), start_date=dt.date(2027, 1, 4)),
        Tenure(EmployeeId("E1007"), end_date=dt.date(2026, 12, 31), timezone="Asia/Tokyo"),
        Tenure(EmployeeId("E1008"), end_date=dt.date(2026, 12, 31), on_leave=True),
        Tenure(EmployeeId("E1009"), end_date=dt.date(2026, 1, 1)),  # past
    ]
    lines = [timeline(t, "Europe/Berlin", dt.timedelta(days=14)) for t in tenures]
    changes = upcoming(lines, at(2026, 12, 7))
    assert [c.text for c in changes] == [
        "E1042 starts 2027-01-04 (Europe/Berlin), created on 2026-12-21 (2026-12-20T23:00Z)",
        "E1007 leaves at the end of 2026-12-31 (Asia/Tokyo), deactivated at 2026-12-31T15:00Z",
    ]
    assert [c.employee_id for c in upcoming(lines, at(2026, 12, 7), limit=1)] == ["E1042"]


# --- the import ---------------------------------------------------------------------------


PEOPLE = "employee_id,email,first_name,last_name,status,org_unit,start_date,end_date,timezone\n"
ADA_ROW = "E1,ada@example.com,Ada,Lovelace,active,ENG,,,\n"
GRACE_ROW = "E2,grace@example.com,Grace,Hopper,active,ENG,2026-02-02,,Europe/Berlin\n"
RULE = '[[groups]]\ncode = "all"\nname = "All"\nmatch = { status = "active" }\n'
COURSE = '[[enrollment_rules]]\ncourse = "SEC-101"\ngroups = ["all"]\n'


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[HrWorld]:
    world = HrWorld(tmp_path, database_url)
    text = world.config_path.read_text(encoding="utf-8")
    world.config_path.write_text(
        text.replace("[safety]", 'create_before_start = "14d"\n[safety]') + RULE + COURSE,
        encoding="utf-8",
    )
    world.write(PEOPLE + ADA_ROW + GRACE_ROW, UNITS, ENROLLMENTS)
    yield world
    world.close()


def test_a_future_hire_is_not_in_the_mirror_until_due_then_is_imported_again(
    world: HrWorld,
) -> None:
    assert world.run().status == "applied"  # the clock: 2026-01-05
    desired = world.desired()
    assert list(desired.people) == ["E1"]
    assert {m.employee_id for m in desired.memberships} == {"E1"}
    assert {e for e, _ in desired.enrollments} == {"E1"}
    assert world.run().status == "unchanged"
    # Due at 00:00 in Berlin on 2026-01-19: 2026-01-18 23:00 UTC.
    world.clock.advance((at(2026, 1, 18, 22, 58) - world.clock.now()).total_seconds())
    assert world.run().status == "unchanged"
    assert world.run().status == "applied"  # 23:00: the export is the same, the day is not
    desired = world.desired()
    assert list(desired.people) == ["E1", "E2"]
    assert (EmployeeId("E2"), "SEC-101") in desired.enrollments
    assert world.run().status == "unchanged"


def test_leave_keeps_memberships_and_enrollments_in_the_mirror(world: HrWorld) -> None:
    world.write(PEOPLE + ADA_ROW.replace("active", "leave"), UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    desired = world.desired()
    ada = desired.people[EmployeeId("E1")]
    assert (ada.active, ada.on_leave) == (False, True)
    assert {m.employee_id for m in desired.memberships} == {"E1"}
    assert (EmployeeId("E1"), "LEAD-401") in desired.enrollments


def test_a_quarantined_row_keeps_the_person_and_their_dates(world: HrWorld) -> None:
    ending = "E1,ada@example.com,Ada,Lovelace,active,ENG,,2026-01-10,Asia/Tokyo\n"
    world.write(PEOPLE + ending, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    broken = ending.replace("Asia/Tokyo", "Asia/Nowhere")
    world.write(PEOPLE + broken, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.quarantine()[0][:2] == ("people.csv", 2)
    assert world.desired().people[EmployeeId("E1")].active
    world.clock.advance((at(2026, 1, 10, 15, 0) - world.clock.now()).total_seconds())
    assert world.run().status == "applied"
    assert not world.desired().people[EmployeeId("E1")].active
    with world.db.session() as session:
        kept = session.scalars(select(TenureRow)).one()
    assert (kept.employee_id, kept.timezone) == ("E1", "Asia/Tokyo")


def test_changing_the_date_settings_imports_again(world: HrWorld) -> None:
    assert world.run().status == "applied"
    text = world.config_path.read_text(encoding="utf-8")
    world.config_path.write_text(
        text.replace('create_before_start = "14d"', "create_before_start = 0"), encoding="utf-8"
    )
    assert world.run().status == "applied"


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ('default_timezone = "Europe/Atlantis"', "unknown time zone 'Europe/Atlantis'"),
        ('create_before_start = "two weeks"', "is not a duration"),
    ],
)
def test_bad_date_settings_are_config_errors(world: HrWorld, setting: str, words: str) -> None:
    text = world.config_path.read_text(encoding="utf-8")
    world.config_path.write_text(
        text.replace('create_before_start = "14d"', setting), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=words):
        world.config()


def test_an_unchanged_import_lists_the_same_coming_changes_read_by_index(
    world: HrWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        "E3,lin@example.com,Lin,Wu,active,ENG,,2026-01-20,Asia/Tokyo\n",
        "E4,max@example.com,Max,Roe,leave,ENG,,2026-01-09,\n",  # on leave: not listed
        "E5,kim@example.com,Kim,Lee,active,ENG,2026-03-02,2026-06-30,\n",
    ]
    world.write(PEOPLE + ADA_ROW + GRACE_ROW + "".join(rows), UNITS, ENROLLMENTS)
    applied = world.run()
    assert applied.status == "applied"
    assert [(c.employee_id, c.at) for c in applied.upcoming] == [
        ("E2", at(2026, 1, 18, 23, 0)),
        ("E3", at(2026, 1, 20, 15, 0)),
        ("E5", at(2026, 2, 16, 0, 0)),
        ("E5", at(2026, 7, 1, 0, 0)),
    ]
    unchanged = world.run()
    assert unchanged.status == "unchanged"
    assert unchanged.upcoming == applied.upcoming
    monkeypatch.setattr("syncd.reconcile.hr_import.UPCOMING", 2)
    assert [c.employee_id for c in world.run().upcoming] == ["E2", "E3"]
