"""The one set of HR row rules, shared by every source: rows in, an HrSnapshot out.

A source (CSV files, SQL queries) turns its input into `SourceRow`s, one per record,
each knowing its table, where it came from (`source`: "people.csv", "sql:people") and
its line (the physical line of a CSV file, the 1-based row number of a query's result),
and hands them to `validate`. Header checks (`header_problems`) are shared the same way,
so both sources refuse the same column sets with the same words.

Decisions: column names are matched exactly; the first row carrying an employee_id,
email, username or unit code claims it even when that row is quarantined itself, so later
rows with it are duplicates; a username (given or defaulted to the email) must be unique
case-insensitively, like the email; manager_id is not checked against people; extra
columns of org_units and enrollments are ignored; quarantined rows come in table order
(people, org_units, enrollments), then by line.

A value no database can store is a reason like any other, named by its column: a NUL
character (PostgreSQL refuses it in text), an unpaired surrogate (not encodable as UTF-8),
a value of a column the mirror keeps as text (`TEXT_COLUMNS`: the people columns above,
a unit's code, name and parent, an enrollment's columns) longer than it holds
(`MAX_TEXT_LENGTH`). Attributes (any other people column) may be long: they are stored as
JSON. Values quoted in reasons are cut to `SHOWN_LENGTH` characters.

Effective dates (`start_date`, `end_date`: yyyy-mm-dd, the end not before the start;
`timezone`: an IANA name this machine knows; `status = leave`) are people columns, not
attributes; an accepted row that has any of them gives a `Tenure` beside its `Person`
(whose `active` stays HR's word: the import decides what the dates make of it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from syncd.hr.snapshot import HrSnapshot, QuarantinedRow
from syncd.hr.tenure import known_zone
from syncd.keys import EnrollmentKey
from syncd.records import (
    CourseCode,
    EmployeeId,
    Enrollment,
    OrgUnit,
    OrgUnitCode,
    Person,
    Tenure,
)

PEOPLE, ORG_UNITS, ENROLLMENTS = "people", "org_units", "enrollments"
REQUIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    PEOPLE: ("employee_id", "email", "first_name", "last_name"),
    ORG_UNITS: ("code", "name"),
    ENROLLMENTS: ("employee_id", "course_code"),
}
TENURE_FIELDS = ("start_date", "end_date", "timezone")
PERSON_FIELDS = (
    *REQUIRED_COLUMNS[PEOPLE],
    "status",
    "org_unit",
    "manager_id",
    "username",
    *TENURE_FIELDS,
)
TEXT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    PEOPLE: PERSON_FIELDS,
    ORG_UNITS: (*REQUIRED_COLUMNS[ORG_UNITS], "parent_code"),
    ENROLLMENTS: (*REQUIRED_COLUMNS[ENROLLMENTS], "due_date"),
}
MAX_TEXT_LENGTH = 255  # the width of the mirror's text columns (syncd.store.schema.KEY)
SHOWN_LENGTH = 60
_SURROGATE = re.compile("[\ud800-\udfff]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STATUSES = ("", "active", "inactive", "leave")

Label = Callable[[str], str]
"""A source's name for the place a table comes from: "people" -> "people.csv"."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One input record: its raw (column, value) pairs, stripped values, or why it has none."""

    table: str
    source: str
    line: int
    raw: tuple[tuple[str, str], ...]
    values: Mapping[str, str]
    shape_error: str | None = None

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def quarantine(self, reasons: Sequence[str]) -> QuarantinedRow:
        return QuarantinedRow(self.source, self.line, "; ".join(reasons), self.raw)


def header_problems(table: str, header: Sequence[str]) -> list[str]:
    """Why `header` cannot be read as `table` (unnamed, unstorable, repeated or missing
    columns)."""
    return [
        *(f"column {i + 1} has no name" for i, name in enumerate(header) if not name),
        *(
            f"the name of column {i + 1} contains {bad}"
            for i, name in enumerate(header)
            if (bad := _bad_character(name))
        ),
        *(f"column {name!r} appears twice" for name in _repeated(header)),
        *(
            f"missing required column {name!r}"
            for name in REQUIRED_COLUMNS[table]
            if name not in header
        ),
    ]


def _repeated(names: Sequence[str]) -> list[str]:
    return sorted({name for name in names if name and names.count(name) > 1})


def validate(rows: Mapping[str, Sequence[SourceRow]], label: Label, fingerprint: str) -> HrSnapshot:
    """Accept or quarantine every row of `rows` (by table; people is required)."""
    units, units_out, codes = _org_units(rows.get(ORG_UNITS, []), label)
    people, people_out, ids = _people(rows[PEOPLE], codes, label)
    enrollments, enrollments_out = _enrollments(rows.get(ENROLLMENTS, []), ids, label)
    quarantined = (*people_out, *sorted(units_out, key=_by_line), *enrollments_out)
    tenures = tuple(tenure for _, tenure in people)
    return HrSnapshot(
        tuple(person for person, _ in people),
        tuple(units),
        tuple(enrollments),
        quarantined,
        fingerprint,
        tuple(tenure for tenure in tenures if tenure is not None),
    )


def _by_line(row: QuarantinedRow) -> int:
    return row.line


class _Keys:
    """The line that first claimed each key of one column, and the keys of accepted rows."""

    def __init__(self, source: str, column: str) -> None:
        self.source, self.column = source, column
        self.first: dict[str, int] = {}
        self.accepted: set[str] = set()

    def claim(self, key: str, line: int, shown: str | None = None) -> str | None:
        """Claim `key` for `line`; the duplicate reason if an earlier line claimed it."""
        if not key:
            return None
        first = self.first.setdefault(key, line)
        if first == line:
            return None
        return f"duplicate {self.column} {_shown(shown or key)} (first at line {first})"

    def reference(self, key: str, column: str) -> str | None:
        """None if `key` names an accepted row, else why a reference to it fails."""
        if key in self.accepted:
            return None
        if key in self.first:
            return f"{column} {_shown(key)} is quarantined ({self.source} line {self.first[key]})"
        return f"unknown {column} {_shown(key)}"


def _missing(row: SourceRow) -> list[str]:
    if row.shape_error:
        return [row.shape_error]
    missing = [column for column in REQUIRED_COLUMNS[row.table] if not row.get(column)]
    return [f"missing {', '.join(missing)}"] if missing else []


def _unstorable(row: SourceRow) -> list[str]:
    """Why values of `row` that syncd keeps (people: every column) cannot be stored."""
    kept = row.values if row.table == PEOPLE else TEXT_COLUMNS[row.table]
    return [problem for column in kept if (problem := _value_problem(row, column))]


def _value_problem(row: SourceRow, column: str) -> str | None:
    value = row.get(column)
    if bad := _bad_character(value):
        return f"{column} contains {bad}"
    if len(value) > MAX_TEXT_LENGTH and column in TEXT_COLUMNS[row.table]:
        return f"{column} is {len(value)} characters long (at most {MAX_TEXT_LENGTH})"
    return None


def _bad_character(text: str) -> str | None:
    """What in `text` no database can store: a NUL (PostgreSQL), an unpaired surrogate."""
    if "\0" in text:
        return "a NUL byte"
    if surrogate := _SURROGATE.search(text):
        return f"an unpaired surrogate (U+{ord(surrogate.group()):04X})"
    return None


def _shown(value: str) -> str:
    """`value` quoted for a reason, cut short when long."""
    if len(value) <= SHOWN_LENGTH:
        return repr(value)
    return f"{value[:SHOWN_LENGTH]!r}... ({len(value)} characters)"


# --- org units ------------------------------------------------------------------------


def _org_units(
    rows: Sequence[SourceRow], label: Label
) -> tuple[list[OrgUnit], list[QuarantinedRow], _Keys]:
    codes = _Keys(label(ORG_UNITS), "code")
    candidates, out = _unit_candidates(rows, codes)
    verdicts = _settle({code: _org_unit(row) for code, row in candidates.items()}, codes)
    for code, reason in verdicts.items():
        if reason:
            out.append(candidates[code].quarantine([reason]))
        else:
            codes.accepted.add(code)
    accepted = [_org_unit(row) for code, row in candidates.items() if code in codes.accepted]
    return accepted, out, codes


def _unit_candidates(
    rows: Sequence[SourceRow], codes: _Keys
) -> tuple[dict[str, SourceRow], list[QuarantinedRow]]:
    """The rows that are valid on their own, by code; the others quarantined."""
    candidates, out = {}, []
    for row in rows:
        duplicate = None if row.shape_error else codes.claim(row.get("code"), row.line)
        reasons = [*_missing(row), *_unstorable(row), *([duplicate] if duplicate else [])]
        if reasons:
            out.append(row.quarantine(reasons))
        else:
            candidates[row.get("code")] = row
    return candidates, out


def _org_unit(row: SourceRow) -> OrgUnit:
    parent = row.get("parent_code")
    return OrgUnit(OrgUnitCode(row.get("code")), row.get("name"), OrgUnitCode(parent) or None)


def _settle(units: Mapping[str, OrgUnit], codes: _Keys) -> dict[str, str | None]:
    """Each unit's reason to be quarantined (None: accepted), following parents to a root."""
    verdicts: dict[str, str | None] = {
        code: codes.reference(unit.parent_code, "parent_code")
        for code, unit in units.items()
        if unit.parent_code and unit.parent_code not in units
    }
    for start in units:
        path, stop = _walk_up(start, units, verdicts)
        if stop is not None and stop in path:  # the walk came back: a cycle from `stop`
            cycle = path[path.index(stop) :]
            verdicts.update(dict.fromkeys(cycle, f"parent cycle: {' -> '.join([*cycle, stop])}"))
        for code in reversed([code for code in path if code not in verdicts]):
            parent = units[code].parent_code
            accepted = parent is None or verdicts[parent] is None
            verdicts[code] = None if accepted else codes.reference(parent or "", "parent_code")
    return verdicts


def _walk_up(
    start: str, units: Mapping[str, OrgUnit], verdicts: Mapping[str, str | None]
) -> tuple[list[str], str | None]:
    """The unsettled codes from `start` up its parents, and the code the walk stopped at."""
    path: dict[str, None] = {}  # a set that keeps order
    code: str | None = start
    while code is not None and code not in verdicts and code not in path:
        path[code] = None
        code = units[code].parent_code
    return list(path), code


# --- people ---------------------------------------------------------------------------


def _people(
    rows: Sequence[SourceRow], units: _Keys, label: Label
) -> tuple[list[tuple[Person, Tenure | None]], list[QuarantinedRow], _Keys]:
    source = label(PEOPLE)
    keys = (_Keys(source, "employee_id"), _Keys(source, "email"), _Keys(source, "username"))
    people, out = [], []
    for row in rows:
        reasons = [
            *_missing(row),
            *_unstorable(row),
            *_person_problems(row, units),
            *_tenure_problems(row),
            *_claims(row, *keys),
        ]
        if reasons:
            out.append(row.quarantine(reasons))
        else:
            people.append((_person(row), _tenure(row)))
            keys[0].accepted.add(row.get("employee_id"))
    return people, out, keys[0]


def _person_problems(row: SourceRow, units: _Keys) -> list[str]:
    email, status, unit = row.get("email"), row.get("status"), row.get("org_unit")
    bad_status = status.lower() not in _STATUSES
    problems = [
        f"malformed email {_shown(email)}" if email and not _EMAIL.fullmatch(email) else None,
        f"status {_shown(status)} is not active, inactive or leave" if bad_status else None,
        units.reference(unit, "org_unit") if unit else None,
    ]
    return [problem for problem in problems if problem]


def _tenure_problems(row: SourceRow) -> list[str]:
    """Why the row's dates or time zone cannot be read, or contradict each other."""
    problems = [
        f"malformed {column} {_shown(text)} (use yyyy-mm-dd)"
        for column in ("start_date", "end_date")
        if (text := row.get(column)) and _due_date(text) is None
    ]
    start, end = _due_date(row.get("start_date")), _due_date(row.get("end_date"))
    if start is not None and end is not None and end < start:
        problems.append(f"end_date {end} is before start_date {start}")
    zone = row.get("timezone")
    if zone and not known_zone(zone):
        problems.append(f"unknown timezone {_shown(zone)} (use an IANA name like Europe/Berlin)")
    return problems


def _tenure(row: SourceRow) -> Tenure | None:
    """The row's dates, time zone and leave; None where it has none of them."""
    start, end = _due_date(row.get("start_date")), _due_date(row.get("end_date"))
    zone, on_leave = row.get("timezone") or None, row.get("status").lower() == "leave"
    if start is None and end is None and zone is None and not on_leave:
        return None
    return Tenure(EmployeeId(row.get("employee_id")), start, end, zone, on_leave)


def _claims(row: SourceRow, ids: _Keys, emails: _Keys, usernames: _Keys) -> list[str]:
    if row.shape_error:
        return []
    email = row.get("email")
    username = row.get("username") or email
    id_dup = ids.claim(row.get("employee_id"), row.line)
    email_dup = emails.claim(email.lower(), row.line, email)
    user_dup = usernames.claim(username.lower(), row.line, username)
    if email_dup and username.lower() == email.lower():
        user_dup = None  # the same fact as the duplicate email
    return [reason for reason in (id_dup, email_dup, user_dup) if reason]


def _person(row: SourceRow) -> Person:
    email, org_unit, manager = row.get("email"), row.get("org_unit"), row.get("manager_id")
    return Person(
        employee_id=EmployeeId(row.get("employee_id")),
        email=email,
        first_name=row.get("first_name"),
        last_name=row.get("last_name"),
        username=row.get("username") or email,
        active=row.get("status").lower() != "inactive",
        org_unit=OrgUnitCode(org_unit) if org_unit else None,
        manager_id=EmployeeId(manager) if manager else None,
        attributes=tuple(sorted((k, v) for k, v in row.values.items() if k not in PERSON_FIELDS)),
    )


# --- enrollments ----------------------------------------------------------------------


def _enrollments(
    rows: Sequence[SourceRow], people: _Keys, label: Label
) -> tuple[list[Enrollment], list[QuarantinedRow]]:
    pairs = _Keys(label(ENROLLMENTS), "enrollment")
    enrollments, out = [], []
    for row in rows:
        reasons = [*_missing(row), *_unstorable(row), *_enrollment_problems(row, people, pairs)]
        if reasons:
            out.append(row.quarantine(reasons))
        else:
            course = CourseCode(row.get("course_code"))
            due = _due_date(row.get("due_date"))
            enrollments.append(Enrollment(EmployeeId(row.get("employee_id")), course, due))
    return enrollments, out


def _enrollment_problems(row: SourceRow, people: _Keys, pairs: _Keys) -> list[str]:
    if row.shape_error:
        return []
    employee, course, due = row.get("employee_id"), row.get("course_code"), row.get("due_date")
    pair = f"{employee}\0{course}" if employee and course else ""
    problems = [
        people.reference(employee, "employee_id") if employee else None,
        None if _due_date(due) or not due else f"malformed due_date {_shown(due)} (use yyyy-mm-dd)",
        pairs.claim(pair, row.line, str(EnrollmentKey(EmployeeId(employee), CourseCode(course)))),
    ]
    return [problem for problem in problems if problem]


def _due_date(text: str) -> dt.date | None:
    """The date in `text` (yyyy-mm-dd); None if empty or malformed."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
