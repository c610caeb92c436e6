"""A quarantined row never acts as a deletion: the person, unit or enrollment it describes
keeps its previous state in the mirror, on SQLite and on PostgreSQL.

Also: values a database cannot store (NUL, overlong key columns) are quarantined instead of
crashing the import, and fields longer than the csv module's default limit are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.hr import read_csv_source
from syncd.records import CourseCode, EmployeeId, Enrollment, OrgUnit, OrgUnitCode
from tests.hr.hr_world import ADA, ENROLLMENTS, GRACE, PEOPLE, UNITS, HrWorld

OVER_CSV_LIMIT = 200_000  # Python's csv refuses fields over 131,072 characters by default


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[HrWorld]:
    world = HrWorld(tmp_path, database_url)
    world.write(PEOPLE + ADA + GRACE, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.quarantine() == []
    yield world
    world.close()


def test_a_field_longer_than_the_csv_default_limit_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "hr"
    folder.mkdir()
    title = "t" * OVER_CSV_LIMIT
    (folder / "people.csv").write_text(PEOPLE + ADA.replace("Engineer", title), encoding="utf-8")
    (folder / "org_units.csv").write_text(UNITS, encoding="utf-8")
    snapshot = read_csv_source(folder)
    assert snapshot.quarantined == ()
    assert snapshot.people[0].attribute("job_title") == title


def test_a_known_person_whose_row_has_an_overlong_name_keeps_their_previous_state(
    world: HrWorld,
) -> None:
    before = world.desired().people[EmployeeId("E1")]
    world.write(PEOPLE + ADA.replace(",Ada,", f",{'A' * OVER_CSV_LIMIT},") + GRACE, UNITS)
    assert world.run().status == "applied"
    assert world.quarantine() == [
        ("people.csv", 2, f"first_name is {OVER_CSV_LIMIT} characters long (at most 255)")
    ]
    assert world.desired().people[EmployeeId("E1")] == before


def test_a_known_person_whose_row_breaks_csv_quoting_keeps_their_previous_state(
    world: HrWorld,
) -> None:
    before = world.desired().people[EmployeeId("E1")]
    world.write(PEOPLE + ADA.replace(",Ada,", ',"Ada"x,') + GRACE, UNITS)
    assert world.run().status == "applied"
    [(file, line, reason)] = world.quarantine()
    assert (file, line) == ("people.csv", 2)
    assert reason.startswith("malformed CSV")
    assert world.desired().people[EmployeeId("E1")] == before


def test_an_enrollment_with_a_malformed_date_keeps_the_previous_enrollment(
    world: HrWorld,
) -> None:
    world.write(PEOPLE + ADA + GRACE, UNITS, ENROLLMENTS.replace("2026-12-31", "31/12/2026"))
    assert world.run().status == "applied"
    assert world.quarantine() == [
        ("enrollments.csv", 2, "malformed due_date '31/12/2026' (use yyyy-mm-dd)")
    ]
    key = (EmployeeId("E1"), CourseCode("LEAD-401"))
    assert world.desired().enrollments[key] == Enrollment(*key, dt.date(2026, 12, 31))


def test_an_enrollment_of_a_quarantined_person_keeps_the_previous_enrollment(
    world: HrWorld,
) -> None:
    world.write(PEOPLE + ADA.replace("ada@example.com", "n/a") + GRACE, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert [(file, line) for file, line, _ in world.quarantine()] == [
        ("people.csv", 2),
        ("enrollments.csv", 2),
    ]
    assert (EmployeeId("E1"), CourseCode("LEAD-401")) in world.desired().enrollments


def test_a_quarantined_org_unit_keeps_its_previous_state_and_its_people(world: HrWorld) -> None:
    before = world.desired().people
    world.write(PEOPLE + ADA + GRACE, UNITS.replace("ENG,Engineering,", "ENG,,"), ENROLLMENTS)
    assert world.run().status == "applied"
    assert ("org_units.csv", 3, "missing name") in world.quarantine()
    assert OrgUnit(OrgUnitCode("ENG"), "Engineering", OrgUnitCode("ACME")) in world.org_units()
    assert world.desired().people == before


def test_a_kept_org_unit_keeps_the_parent_it_hangs_from(world: HrWorld) -> None:
    world.write(PEOPLE + ADA + GRACE, "code,name,parent_code\nENG,,ACME\n", ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.org_units() == [
        OrgUnit(OrgUnitCode("ACME"), "Acme", None),
        OrgUnit(OrgUnitCode("ENG"), "Engineering", OrgUnitCode("ACME")),
    ]


def test_a_bad_duplicate_row_does_not_bring_back_the_previous_state(world: HrWorld) -> None:
    renamed = ADA.replace("Lovelace", "King")
    world.write(PEOPLE + renamed + ADA.replace(",Ada,", ",,") + GRACE, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.desired().people[EmployeeId("E1")].last_name == "King"


def test_a_row_with_a_nul_byte_is_quarantined_and_the_rest_is_imported(world: HrWorld) -> None:
    before = world.desired().people[EmployeeId("E1")]
    people = PEOPLE + ADA.replace(",Ada,", ",A\x00da,") + GRACE.replace("Admiral", "Rear Admiral")
    world.write(people, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.quarantine()[0] == ("people.csv", 2, "first_name contains a NUL byte")
    desired = world.desired()
    assert desired.people[EmployeeId("E1")] == before
    assert desired.people[EmployeeId("E2")].attribute("job_title") == "Rear Admiral"


def test_a_new_person_with_a_nul_byte_in_an_attribute_is_quarantined(world: HrWorld) -> None:
    newcomer = "E3,alan@example.com,Alan,Turing,active,ENG,Code\x00breaker\n"
    world.write(PEOPLE + ADA + GRACE + newcomer, UNITS, ENROLLMENTS)
    assert world.run().status == "applied"
    assert world.quarantine() == [("people.csv", 4, "job_title contains a NUL byte")]
    assert EmployeeId("E3") not in world.desired().people
