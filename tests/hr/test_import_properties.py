"""Property: whatever people.csv holds (any unicode, NUL, huge fields, formula prefixes, bad
dates, broken quoting), the import never raises; every row lands in the mirror or in
quarantine with its file, line and reason; and a person imported before whose new row is
bad is never removed from the mirror. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from syncd.records import EmployeeId
from syncd.store.mirror import MIRROR_MODELS
from syncd.store.schema import HrImportRow, QuarantineRow
from tests.hr.hr_world import HrWorld

COLUMNS = ("employee_id", "email", "first_name", "last_name", "status", "org_unit", "hired_on")
KNOWN = ("E1", "E2", "E3", "E4")
BASE = [
    {"employee_id": e, "email": f"{e.lower()}@example.com", "first_name": "F", "last_name": "L"}
    for e in KNOWN
]
NASTY = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),  # UTF-8 cannot hold Cs
    st.sampled_from(
        [
            '=HYPERLINK("http://evil.example","x")',
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "\x00",
            "Ad\x00a",
            "31/12/2026",
            "2026-02-30",
            " ",
            'a "quoted"\nvalue',
        ]
    ),
    st.sampled_from(["<long>", "<huge>"]),  # expanded when written: short reports
)
LONG = {
    "<long>": "L" * 300,  # longer than a key column holds
    "<huge>": "X" * 140_000,  # longer than the csv module's default field limit
}
ROW = st.fixed_dictionaries(
    {
        "employee_id": st.sampled_from([*KNOWN, " E1 ", "E9", ""]) | NASTY,
        "email": st.sampled_from(["e1@example.com", "new@example.com", "n/a"]) | NASTY,
        "first_name": st.sampled_from(["Ada", ""]) | NASTY,
        "last_name": st.just("King") | NASTY,
        "status": st.sampled_from(["", "active", "inactive", "gone"]) | NASTY,
        "org_unit": st.just("") | NASTY,
        "hired_on": st.sampled_from(["2026-01-31", "31/01/2026"]) | NASTY,
    }
)
# A row is written by a CSV writer, or by hand with broken quoting (None: the writer's).
LINE = st.tuples(ROW, st.none() | st.sampled_from(KNOWN))


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore")  # "\r\n": quotes \r and \n
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def expand(row: dict[str, str]) -> dict[str, str]:
    return {column: LONG.get(value, value) for column, value in row.items()}


def people_csv(
    lines: list[tuple[dict[str, str], str | None]],
) -> tuple[str, dict[int, dict[str, str]]]:
    """The file, and each non-blank row by the physical line it starts at (broken: {})."""
    text, line = csv_text([]), 2
    starts: dict[int, dict[str, str]] = {}
    for drawn, broken in lines:
        row = expand(drawn)
        chunk = f'{broken},"x"y,F,L,,,\r\n' if broken else csv_text([row]).split("\r\n", 1)[1]
        if broken or any(value.strip() for value in row.values()):
            starts[line] = {} if broken else row
        text += chunk
        line += len(io.StringIO(chunk, newline="").readlines())
    return text, starts


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[HrWorld]:
    world = HrWorld(tmp_path, database_url)
    yield world
    world.close()


def reset(world: HrWorld) -> None:
    with world.db.session() as session:
        for model in (*MIRROR_MODELS, QuarantineRow, HrImportRow):
            session.execute(delete(model))
        session.commit()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(LINE, max_size=8))
def test_any_people_file_lands_in_mirror_or_quarantine_and_never_drops_a_known_person(
    world: HrWorld, lines: list[tuple[dict[str, str], str | None]]
) -> None:
    reset(world)
    world.write(csv_text(BASE))
    assert world.run().status == "applied"
    text, rows = people_csv(lines)
    world.write(text)
    assert world.run().status in ("applied", "unchanged")

    people = world.desired().people
    quarantine = world.quarantine() if rows else []
    assert all(file == "people.csv" and reason for file, _, reason in quarantine)
    quarantined = {line for _, line, _ in quarantine}
    for line, row in rows.items():
        person = people.get(EmployeeId(row.get("employee_id", "").strip()))
        landed = person is not None and (person.email, person.first_name, person.last_name) == (
            row["email"].strip(),
            row["first_name"].strip(),
            row["last_name"].strip(),
        )
        assert landed or line in quarantined, (line, row, quarantine)
    named = {row.get("employee_id", "").strip() for row in rows.values()}
    named |= {broken for _, broken in lines if broken}
    for known in set(KNOWN) & named:
        assert EmployeeId(known) in people, (known, quarantine)
