"""Synthetic HR exports for the benchmarks: an org tree, people, explicit enrollments, churn.

`generate(n)` builds a deterministic company of `n` people in about n/50 org units over
four levels (company, department, region, team); `churn(data, share)` returns a copy
with that share of people moved, renamed, gone or hired. `RULES_TOML` holds the
config's groups and enrollment rules, which give each person 1 to 3 demo courses.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from syncd.records import EmployeeId, OrgUnitCode, Person

Row = dict[str, str]

DEPARTMENTS = ("Sales", "Engineering", "Support", "Finance", "Marketing", "Operations", "People")
REGIONS = {
    "EMEA": ("DE", "FR", "IT", "GB", "ES", "NL", "PL"),
    "NA": ("US", "CA"),
    "APAC": ("JP", "SG", "AU", "IN"),
}
_FIRST_TEXT = (
    "Ada Ben Chloe David Elena Farid Grace Hugo Ines Jonas Kira Liam Maya Noah Olga Pavel "
    "Quinn Rosa Sami Tara"
)
FIRST = tuple(_FIRST_TEXT.split())
_LAST_TEXT = (
    "Adams Berger Costa Dubois Evans Fischer Garcia Huber Ivanov Jensen Kowalski Lopez Meyer "
    "Novak Olsen Petit Rossi Silva Tanaka Weber"
)
LAST = tuple(_LAST_TEXT.split())
_PEOPLE_COLUMNS_TEXT = (
    "employee_id first_name last_name email status org_unit manager_id department country job_level"
)
PEOPLE_COLUMNS = tuple(_PEOPLE_COLUMNS_TEXT.split())
MANAGER_SHARE = 0.10
ONBOARDING_SHARE = 0.05
DUE = dt.date(2026, 3, 31).isoformat()

RULES_TOML = """
[[groups]]
code = "all-staff"
name = "All Staff"

[[groups]]
code = "sales-emea"
name = "Sales EMEA"
match = { department = "Sales", country = ["DE", "FR", "IT", "GB"] }

[[groups]]
code = "engineering"
name = "Engineering"
match = { department = "Engineering" }

[[groups]]
code = "managers"
name = "People Managers"
match = { job_level = "manager" }

[[enrollment_rules]]
course = "SEC-101"
groups = ["all-staff"]
due_in_days = 30

[[enrollment_rules]]
course = "GDPR-201"
groups = ["sales-emea"]

[[enrollment_rules]]
course = "ENG-210"
groups = ["engineering"]

[[enrollment_rules]]
course = "LEAD-401"
groups = ["managers"]
"""
CONFIG_GROUPS = 4
# The config groups as the cycle benchmark names them on every LMS: Litmos team names are
# unique account-wide and Coursepath keys groups by name, and two groups above share their
# names with org units (the region "Sales EMEA", the department "Engineering").
CYCLE_RULES_TOML = RULES_TOML.replace('name = "Sales EMEA"', 'name = "Sales EMEA (group)"').replace(
    'name = "Engineering"', 'name = "Engineering (group)"'
)


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    parent: str
    department: str | None
    region: str | None
    level: int


@dataclass(slots=True)
class HrData:
    units: list[Unit]
    people: list[Row]
    enrollments: list[Row] = field(default_factory=list)
    next_id: int = 0

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        units = [{"code": u.code, "name": u.name, "parent_code": u.parent} for u in self.units]
        _write(folder / "org_units.csv", ("code", "name", "parent_code"), units)
        _write(folder / "people.csv", PEOPLE_COLUMNS, self.people)
        _write(
            folder / "enrollments.csv", ("employee_id", "course_code", "due_date"), self.enrollments
        )

    def active(self) -> int:
        return sum(1 for p in self.people if p["status"] == "active")


def _write(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


# --- the org tree --------------------------------------------------------------------------


def org_tree(n_units: int) -> list[Unit]:
    """About `n_units` units: the company, departments, their regions, then teams round-robin."""
    departments = max(2, min(len(DEPARTMENTS), n_units // 6))
    left = max(0, n_units - 1 - departments)
    per_dept = 3 if left >= 3 * departments else max(1, left // departments)
    units = [Unit("ACME", "Acme Group", "", None, None, 1)]
    regions: list[Unit] = []
    for dept in DEPARTMENTS[:departments]:
        code = dept[:3].upper()
        units.append(Unit(code, dept, "ACME", dept, None, 2))
        for region in list(REGIONS)[:per_dept]:
            regions.append(Unit(f"{code}-{region}", f"{dept} {region}", code, dept, region, 3))
    units += regions
    for index in range(max(0, n_units - len(units))):
        parent = regions[index % len(regions)]
        code = f"{parent.code}-T{index // len(regions) + 1:02d}"
        units.append(
            replace(
                parent,
                code=code,
                name=f"{parent.name} team {code[-3:]}",
                parent=parent.code,
                level=4,
            )
        )
    return units


# --- people --------------------------------------------------------------------------------


def generate(n_people: int, seed: int = 7) -> HrData:
    """A company of `n_people` in about n/50 units, with explicit onboarding enrollments."""
    rng = random.Random(seed)
    units = org_tree(max(8, n_people // 50))
    data = HrData(units, [], [], n_people)
    placeable = [u for u in units if u.level > 1]
    weights = [{2: 1, 3: 2, 4: 4}[u.level] for u in placeable]
    for index, unit in enumerate(rng.choices(placeable, weights, k=n_people)):
        person = _person(index, unit, rng, manager=rng.random() < MANAGER_SHARE)
        data.people.append(person)
        data.enrollments += _explicit(person, rng)
    return data


def _person(index: int, unit: Unit, rng: random.Random, *, manager: bool) -> Row:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    region = unit.region or rng.choice(list(REGIONS))
    return {
        "employee_id": f"E{100000 + index}",
        "first_name": first,
        "last_name": last,
        "email": f"{first}.{last}.{index}@example.com".lower(),
        "status": "active",
        "org_unit": unit.code,
        "manager_id": "",
        "department": unit.department or "",
        "country": rng.choice(REGIONS[region]),
        "job_level": "manager" if manager else "staff",
    }


def _explicit(person: Row, rng: random.Random, *, hire: bool = False) -> list[Row]:
    """Onboarding for some (every hire), negotiation for half of Sales outside EMEA;
    never for managers, so nobody passes three courses."""
    if person["job_level"] == "manager":
        return []
    rows = []
    if hire or rng.random() < ONBOARDING_SHARE:
        rows.append(
            {"employee_id": person["employee_id"], "course_code": "ONB-100", "due_date": DUE}
        )
    emea = person["country"] in {"DE", "FR", "IT", "GB"}
    if person["department"] == "Sales" and not emea and rng.random() < 0.5:
        rows.append(
            {"employee_id": person["employee_id"], "course_code": "SALES-301", "due_date": ""}
        )
    return rows


# --- churn ---------------------------------------------------------------------------------


def churn(data: HrData, share: float, seed: int = 11) -> tuple[HrData, dict[str, int]]:
    """A copy with `share` of people changed: a quarter each moved (to another department),
    renamed, leaving (half marked inactive, half dropped from the export) and hired."""
    rng = random.Random(seed)
    quarter = max(1, round(len(data.people) * share / 4))
    people = [dict(p) for p in data.people]
    picked = rng.sample([i for i, p in enumerate(people) if p["status"] == "active"], 3 * quarter)
    moved, renamed, leaving = (picked[i * quarter : (i + 1) * quarter] for i in range(3))
    for index in moved:
        _move(people[index], data.units, rng)
    for index in renamed:
        people[index]["last_name"] = rng.choice(LAST) + "-" + rng.choice(LAST)
    dropped = {people[i]["employee_id"] for i in leaving[::2]}
    for index in leaving[1::2]:
        people[index]["status"] = "inactive"
    people = [p for p in people if p["employee_id"] not in dropped]
    enrollments = [e for e in data.enrollments if e["employee_id"] not in dropped]
    result = HrData(data.units, people, enrollments, data.next_id)
    _hire(result, quarter, rng)
    summary = {
        "moved": quarter,
        "renamed": quarter,
        "inactive": len(leaving) - len(dropped),
        "dropped": len(dropped),
        "hired": quarter,
    }
    return result, summary


def _move(person: Row, units: list[Unit], rng: random.Random) -> None:
    elsewhere = [u for u in units if u.department not in {None, person["department"]}]
    unit = rng.choice(elsewhere)
    person["org_unit"], person["department"] = unit.code, unit.department or ""
    person["country"] = rng.choice(REGIONS[unit.region or "EMEA"])


def _hire(data: HrData, count: int, rng: random.Random) -> None:
    placeable = [u for u in data.units if u.level == 4] or data.units[1:]
    for _ in range(count):
        person = _person(data.next_id, rng.choice(placeable), rng, manager=False)
        data.next_id += 1
        data.people.append(person)
        data.enrollments += _explicit(person, rng, hire=True)


EXTRA_COLUMNS = ("department", "country", "job_level")


def person(row: dict[str, str]) -> Person:
    """An HR people row as syncd reads it: the username is the email, the three extra
    columns the config's rules match on."""
    return Person(
        employee_id=EmployeeId(row["employee_id"]),
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["email"],
        active=row["status"] == "active",
        org_unit=OrgUnitCode(row["org_unit"]) if row["org_unit"] else None,
        attributes=tuple((name, row[name]) for name in EXTRA_COLUMNS),
    )
