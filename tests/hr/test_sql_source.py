"""read_sql_source: the same snapshot as the CSV source, SQL rows quarantined by query and row
number, typed values read as CSV text, and errors that name the key and never the password."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from syncd import redact
from syncd.config import HrQueries
from syncd.errors import ConfigError
from syncd.hr import HrSnapshot, QuarantinedRow, read_csv_source, read_sql_source
from tests.hr.sql_tables import load_folder, load_table, table_name

EXAMPLE_HR = Path(__file__).resolve().parents[2] / "config" / "example-hr"
PEOPLE_COLUMNS = ("employee_id", "email", "first_name", "last_name", "status", "org_unit")
ADA = {"employee_id": "E1", "email": "ada@example.com", "first_name": "Ada", "last_name": "L"}


def with_bad_rows(folder: Path) -> Path:
    """The example HR folder plus one bad row per table, none of whose reasons name a line."""
    shutil.copytree(EXAMPLE_HR, folder)
    bad = {
        "people.csv": "E9001,Bad,Email,not-an-email,active,SAL,,Sales,DE,Rep\n"
        "E9002,Ghost,Unit,ghost.unit@example.com,active,NOPE,,Sales,DE,Rep\n",
        "org_units.csv": "ORPHAN,Orphan unit,MISSING\n",
        "enrollments.csv": "E1001,SALES-301,27/02/2026\nE4040,SALES-301,\n",
    }
    for name, rows in bad.items():
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(rows)
    return folder


def comparable(row: QuarantinedRow) -> tuple[str, int, str, tuple[tuple[str, str], ...]]:
    """A quarantined row in source-blind terms: CSV lines count the header, SQL rows do not."""
    line = row.line - 1 if row.source_file.endswith(".csv") else row.line
    return (row.table, line, row.reason, row.row)


def people_query(rows: list[dict[str, object]], url: str) -> HrQueries:
    return HrQueries(people=load_table(url, "people", rows, PEOPLE_COLUMNS))


def single(snapshot: HrSnapshot) -> QuarantinedRow:
    assert len(snapshot.quarantined) == 1, snapshot.quarantined
    return snapshot.quarantined[0]


def failure(url: str, queries: HrQueries) -> str:
    with pytest.raises(ConfigError) as caught:
        read_sql_source(url, queries)
    return str(caught.value)


# --- the same snapshot as the CSV source ----------------------------------------------


def test_example_data_gives_the_csv_snapshot(database_url: str) -> None:
    from_csv = read_csv_source(EXAMPLE_HR)
    from_sql = read_sql_source(database_url, load_folder(database_url, EXAMPLE_HR))
    assert len(from_sql.people) == 36
    assert from_sql.people == from_csv.people
    assert from_sql.org_units == from_csv.org_units
    assert from_sql.enrollments == from_csv.enrollments
    assert from_sql.quarantined == from_csv.quarantined == ()


def test_bad_rows_are_quarantined_as_the_csv_source_does(tmp_path: Path, database_url: str) -> None:
    folder = with_bad_rows(tmp_path / "hr")
    from_csv = read_csv_source(folder)
    from_sql = read_sql_source(database_url, load_folder(database_url, folder))
    assert (from_sql.people, from_sql.org_units) == (from_csv.people, from_csv.org_units)
    assert from_sql.enrollments == from_csv.enrollments
    assert [comparable(q) for q in from_sql.quarantined] == [
        comparable(q) for q in from_csv.quarantined
    ]
    assert [(q.source_file, q.line) for q in from_sql.quarantined] == [
        ("sql:people", 37),
        ("sql:people", 38),
        ("sql:org_units", 13),
        ("sql:enrollments", 7),
        ("sql:enrollments", 8),
    ]


# --- rows, row numbers and values -----------------------------------------------------


def test_bad_row_is_quarantined_with_query_and_row_number(database_url: str) -> None:
    rows: list[dict[str, object]] = [ADA, {**ADA, "employee_id": "E2", "email": "bad"}]
    row = single(read_sql_source(database_url, people_query(rows, database_url)))
    assert (row.source_file, row.line, row.reason) == ("sql:people", 2, "malformed email 'bad'")
    assert ("email", "bad") in row.row


def test_duplicates_name_the_first_row_number(database_url: str) -> None:
    rows: list[dict[str, object]] = [ADA, {**ADA, "email": "other@example.com"}]
    row = single(read_sql_source(database_url, people_query(rows, database_url)))
    assert (row.line, row.reason) == (2, "duplicate employee_id 'E1' (first at line 1)")


def test_reference_to_a_quarantined_unit_names_the_query(database_url: str) -> None:
    units = [{"code": "ENG", "name": "Engineering", "parent_code": "NOPE"}]
    queries = HrQueries(
        people=load_table(database_url, "people", [{**ADA, "org_unit": "ENG"}], PEOPLE_COLUMNS),
        org_units=load_table(database_url, "org_units", units),
    )
    snapshot = read_sql_source(database_url, queries)
    assert [(q.source_file, q.line, q.reason) for q in snapshot.quarantined] == [
        ("sql:people", 1, "org_unit 'ENG' is quarantined (sql:org_units line 1)"),
        ("sql:org_units", 1, "unknown parent_code 'NOPE'"),
    ]


def test_nulls_are_empty_and_values_are_stripped(database_url: str) -> None:
    rows: list[dict[str, object]] = [{**ADA, "first_name": "  Ada ", "status": None}]
    person = read_sql_source(database_url, people_query(rows, database_url)).people[0]
    assert (person.first_name, person.active, person.org_unit) == ("Ada", True, None)


def test_a_row_of_nulls_is_quarantined_not_skipped(database_url: str) -> None:
    rows: list[dict[str, object]] = [ADA, {}]
    row = single(read_sql_source(database_url, people_query(rows, database_url)))
    assert (row.line, row.reason) == (2, "missing employee_id, email, first_name, last_name")


def test_typed_columns_read_as_csv_text(database_url: str) -> None:
    people = load_table(
        database_url,
        "people",
        [{**ADA, "grade": 7, "salary": None}],
        (*PEOPLE_COLUMNS[:4], "grade", "salary"),
        {"grade": sa.Integer(), "salary": sa.Numeric(10, 2)},
    )
    enrollments = load_table(
        database_url,
        "enrollments",
        [{"employee_id": "E1", "course_code": "SEC-101", "due_date": dt.date(2026, 3, 31)}],
        types={"due_date": sa.Date()},
    )
    snapshot = read_sql_source(database_url, HrQueries(people=people, enrollments=enrollments))
    assert snapshot.quarantined == ()
    assert snapshot.people[0].attributes == (("grade", "7"), ("salary", ""))
    assert snapshot.enrollments[0].due_date == dt.date(2026, 3, 31)


def test_optional_queries_may_be_left_out(database_url: str) -> None:
    snapshot = read_sql_source(database_url, people_query([ADA], database_url))
    assert (len(snapshot.people), snapshot.org_units, snapshot.enrollments) == (1, (), ())


# --- the fingerprint ------------------------------------------------------------------


def test_fingerprint_follows_the_data_not_the_query_text(database_url: str) -> None:
    queries = people_query([ADA], database_url)
    first = read_sql_source(database_url, queries).fingerprint
    assert read_sql_source(database_url, queries).fingerprint == first
    reworded = HrQueries(people=queries.people.replace("SELECT", "select"))
    assert read_sql_source(database_url, reworded).fingerprint == first
    people_query([{**ADA, "last_name": "Lovelace"}], database_url)
    assert read_sql_source(database_url, queries).fingerprint != first


# --- errors ---------------------------------------------------------------------------


def test_failing_query_names_its_key_and_the_database_words(database_url: str) -> None:
    queries = HrQueries(
        people=people_query([ADA], database_url).people,
        org_units="SELECT code, name FROM no_such_units",
    )
    message = failure(database_url, queries)
    assert message.startswith("hr.queries.org_units: the query failed: ")
    assert "no_such_units" in message


def test_syntax_error_names_its_key(database_url: str) -> None:
    message = failure(database_url, HrQueries(people="SELEC employee_id FROM hr_people"))
    assert message.startswith("hr.queries.people: the query failed: ")
    assert "syntax error" in message.lower()


def test_missing_required_column_names_its_key(database_url: str) -> None:
    load_table(database_url, "people", [ADA], PEOPLE_COLUMNS)
    sql = f"SELECT employee_id, first_name, last_name FROM {table_name('people')}"
    assert failure(database_url, HrQueries(people=sql)) == (
        "hr.queries.people: the result's columns: missing required column 'email'"
    )


def test_the_source_never_writes(database_url: str) -> None:
    load_table(database_url, "people", [ADA], PEOPLE_COLUMNS)
    sql = f"DELETE FROM {table_name('people')} RETURNING employee_id, email, first_name, last_name"
    assert failure(database_url, HrQueries(people=sql)).startswith("hr.queries.people: ")
    assert len(read_sql_source(database_url, people_query([ADA], database_url)).people) == 1


def test_unreachable_database_is_a_clear_error() -> None:
    url = "postgresql+psycopg://syncd:unreachable-pw-1@127.0.0.1:1/hr"
    message = failure(url, HrQueries(people="SELECT 1"))
    assert message.startswith("hr.url (postgresql+psycopg://syncd:***@127.0.0.1:1/hr): ")
    assert "cannot connect to the HR database" in message
    assert "unreachable-pw-1" not in message


@pytest.mark.postgres
def test_password_never_appears_in_errors(postgres_url: str) -> None:
    secret = "hr-db-pw-7f3a"  # trust auth ignores it: the queries still run
    url = postgres_url.replace("postgres@", f"postgres:{secret}@")
    assert len(read_sql_source(url, people_query([ADA], url)).people) == 1
    message = failure(url, HrQueries(people=f'SELECT 1 FROM "{secret}"'))  # the driver echoes it
    assert message.startswith("hr.queries.people: the query failed: ")
    assert secret not in message
    assert redact.MASK in message
    assert redact.scrub(secret) == redact.MASK
