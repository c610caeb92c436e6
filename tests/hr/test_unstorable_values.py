"""Values no database can store are quarantined by the shared row rules (CSV and SQL alike),
database errors never carry the SQL parameters (HR people's names and emails), and a
missing HR folder names `hr.path`, the folder and the config file."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from syncd.cli import main
from syncd.config import HrQueries
from syncd.errors import ConfigError
from syncd.hr import read_csv_source, read_sql_source
from syncd.hr.validation import PEOPLE, SourceRow, validate
from syncd.kinds import load_config
from syncd.reconcile.hr_import import read_hr_source
from syncd.store.schema import PersonRow, table_of
from tests.hr.sql_tables import load_table

ADA = {"employee_id": "E1", "email": "ada@example.com", "first_name": "Ada", "last_name": "L"}
GRACE = {"employee_id": "E2", "email": "grace@example.com", "first_name": "Grace", "last_name": "H"}


def people_row(line: int, **values: str) -> SourceRow:
    raw = tuple(values.items())
    return SourceRow(PEOPLE, "people.csv", line, raw, {k: v.strip() for k, v in raw})


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("first_name", "Ad\x00a", "first_name contains a NUL byte"),
        ("last_name", "L\ud800", "last_name contains an unpaired surrogate (U+D800)"),
        ("country", "G\udfffB", "country contains an unpaired surrogate (U+DFFF)"),
        ("email", f"{'a' * 300}@example.com", "email is 312 characters long (at most 255)"),
    ],
)
def test_a_value_no_database_can_store_is_quarantined_naming_its_column(
    column: str, value: str, reason: str
) -> None:
    rows = [people_row(2, **{**ADA, column: value}), people_row(3, **GRACE)]
    snapshot = validate({PEOPLE: rows}, lambda table: f"{table}.csv", "fp")
    assert [p.employee_id for p in snapshot.people] == ["E2"]
    [row] = snapshot.quarantined
    assert (row.source_file, row.line, row.reason) == ("people.csv", 2, reason)


def test_a_column_name_no_database_can_store_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "employee_id,email,first_name,last_name,cost\x00centre\nE1,ada@example.com,Ada,L,42\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"the name of column 5 contains a NUL byte"):
        read_csv_source(tmp_path)


def test_a_long_attribute_is_accepted_only_text_columns_have_a_width() -> None:
    rows = [people_row(2, **ADA, notes="n" * 5_000)]
    snapshot = validate({PEOPLE: rows}, lambda table: f"{table}.csv", "fp")
    assert snapshot.quarantined == ()


def test_the_sql_source_quarantines_a_nul_byte_and_reads_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    query = load_table(url, "people", [{**ADA, "first_name": "Ad\x00a"}, GRACE])
    snapshot = read_sql_source(url, HrQueries(people=query))
    assert [p.employee_id for p in snapshot.people] == ["E2"]
    [row] = snapshot.quarantined
    assert (row.source_file, row.line, row.reason) == (
        "sql:people",
        1,
        "first_name contains a NUL byte",
    )


# --- database errors never carry their parameters -------------------------------------


def test_a_database_error_does_not_show_its_parameters(engine: sa.Engine) -> None:
    """`engine` is conftest's: `make_engine` on SQLite and on PostgreSQL."""
    person = {
        "employee_id": "E1",
        "email": "secret.person@example.com",
        "first_name": "Secretname\x00",  # PostgreSQL refuses the NUL, SQLite the NULL below
        "last_name": None,
        "username": "secret.person@example.com",
        "active": True,
        "attributes": {},
    }
    with pytest.raises(exc.DBAPIError) as caught, engine.begin() as conn:
        conn.execute(sa.insert(table_of(PersonRow)), [person])
    assert "Secretname" not in str(caught.value)
    assert "secret.person" not in str(caught.value)


# --- a missing HR folder --------------------------------------------------------------


def test_a_missing_hr_folder_names_hr_path_the_folder_and_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "no-such-hr-folder"
    config_path = tmp_path / "syncd.toml"
    config_path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "syncd.db"}"\n[hr]\npath = "{folder}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        read_hr_source(load_config(config_path))
    message = str(caught.value)
    assert "hr.path" in message
    assert str(folder) in message
    assert str(config_path) in message
    out, err = io.StringIO(), io.StringIO()  # streams that outlive the test: logging keeps one
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["-c", str(config_path), "run", "--once"]) == 2
    assert "hr.path" in err.getvalue()
