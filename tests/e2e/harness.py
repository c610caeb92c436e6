"""An end-to-end world: HR files on disk, a config, a Docebo simulator, a fake clock.

`World.run()` does what `syncd run --once` does, in-process, against the
simulator; `World.expected()` computes, independently of syncd's code, what
Docebo should hold for the HR files and the rules of `RULES_TOML`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx

from syncd.cli import main
from syncd.clock import FakeClock
from syncd.kinds import load_config
from syncd.records import GroupKind, GroupRef
from syncd.runtime import RunReport, Runtime
from syncd.sandbox import DEMO_COURSES, DoceboSimulator, RunningServer, serve
from syncd.sandbox.docebo import ApiEra, DoceboSnapshot
from tests.lms_fixtures import LMSS, GroupKey, LmsState

EXAMPLE_HR = Path(__file__).parents[2] / "config" / "example-hr"
TARGET = "docebo-main"
SECRET, PASSWORD = "s3cret-client-value", "pa55word-value-xyz"
SALES_EMEA = {"DE", "FR", "IT", "GB"}

RULES_TOML = """
[[groups]]
code = "all-staff"
name = "All Staff"

[[groups]]
code = "sales-emea"
name = "Sales EMEA"
match = {{ department = "Sales", country = {sales_countries} }}

[[groups]]
code = "engineering"
name = "Engineering"
match = {{ department = "Engineering" }}

[[enrollment_rules]]
course = "SEC-101"
groups = ["all-staff"]

[[enrollment_rules]]
course = "GDPR-201"
groups = ["sales-emea", "org_unit:SUP-EU"]
"""


@dataclass
class HrFiles:
    folder: Path
    people: list[dict[str, str]] = field(default_factory=list)
    org_units: list[dict[str, str]] = field(default_factory=list)
    enrollments: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def example(cls, folder: Path) -> HrFiles:
        files = cls(
            folder,
            _read(EXAMPLE_HR / "people.csv"),
            _read(EXAMPLE_HR / "org_units.csv"),
            _read(EXAMPLE_HR / "enrollments.csv"),
        )
        files.write()
        return files

    def write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _write(self.folder / "people.csv", self.people)
        _write(self.folder / "org_units.csv", self.org_units)
        _write(self.folder / "enrollments.csv", self.enrollments)

    def person(self, employee_id: str) -> dict[str, str]:
        return next(p for p in self.people if p["employee_id"] == employee_id)

    def unit(self, code: str) -> dict[str, str]:
        return next(u for u in self.org_units if u["code"] == code)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(key for row in rows for key in row)) or ["employee_id"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


HR_DATE_KEYS = ("default_timezone", "create_before_start")  # `[hr]` keys a world may set


class World:
    """The Docebo world, and the base of every LMS's (see worlds.py for the interface)."""

    kind = "docebo"  # the target's kind (a kind registered over this simulator names its own)
    simulates = "docebo"  # the simulator it drives, as tests/lms_fixtures.py's LMSS names it
    target_name = TARGET
    # What this LMS does that another may not, as its users see it; the scenario suite
    # (test_hr_scenarios.py) expects its plans and results by these.
    managers = False  # a person's HR manager manages the group of their org unit
    nested_groups = True  # an org unit's group sits under its parent's
    lists_inactive_members = True  # a group's member list shows deactivated people too
    cannot: frozenset[str] = frozenset()  # operation kinds its API cannot make
    # Config groups this world's rules rename, where the LMS wants group names unique and
    # two of RULES_TOML's share their names with org units; `clashing_names=True` keeps them.
    renamed: ClassVar[Mapping[str, str]] = {}
    # The Docebo API era the e2e worlds serve (today's by default); test_docebo_eras.py
    # runs the HR change scenarios in the 2017 one too.
    docebo_era: ApiEra = "modern"

    def __init__(
        self,
        tmp_path: Path,
        database_url: str,
        *,
        docebo_era: ApiEra | None = None,
        clashing_names: bool = False,
        **settings: str,
    ) -> None:
        self.docebo_era = docebo_era or self.docebo_era
        self.clashing_names = clashing_names
        self.tmp = tmp_path
        self.hr = HrFiles.example(tmp_path / "hr")
        self.clock = FakeClock()
        self.sim: Any = self.make_simulator()
        self.wire: httpx.BaseTransport | None = None  # a transport around the simulator's
        self.database_url = database_url
        self.settings = {
            "sales_countries": '["DE", "FR", "IT", "GB"]',
            "max_deactivate": "10%",
            "page_size": "200",
            "base_url": "https://acme.docebosaas.test",
            **settings,
        }
        self.config_path = tmp_path / "syncd.toml"
        self.write_config()

    def write_config(self, **settings: str) -> None:
        self.settings.update(settings)
        s = self.settings
        self.config_path.write_text(
            f'[database]\nurl = "{self.database_url}"\n'
            f'[hr]\npath = "{self.hr.folder}"\nexport_path = "{self.tmp / "export"}"\n'
            + "".join(f'{key} = "{s[key]}"\n' for key in HR_DATE_KEYS if key in s)
            + f'[safety]\nmax_deactivate = "{s["max_deactivate"]}"\n'
            f'[logging]\nformat = "json"\n'
            + self.rules_toml().format(sales_countries=s["sales_countries"])
            + self.target_toml(),
            encoding="utf-8",
        )

    def rules_toml(self) -> str:
        rules = RULES_TOML
        for old, new in ({} if self.clashing_names else self.renamed).items():
            group = f'name = "{old}"\nmatch'
            assert group in rules, f"RULES_TOML has no config group {old!r} to rename"
            rules = rules.replace(group, f'name = "{new}"\nmatch')
        return rules

    def make_simulator(self) -> Any:
        sim = DoceboSimulator(
            client_secret=SECRET,
            password=PASSWORD,
            clock=lambda: self.clock.now().timestamp(),
            api_era=self.docebo_era,
        )
        for code, name in DEMO_COURSES:
            sim.seed_course(code, name)
        return sim

    def target_toml(self) -> str:
        s = self.settings
        return (
            f'[[targets]]\nname = "{self.target_name}"\nkind = "{self.kind}"\n'
            f'base_url = "{s["base_url"]}"\n'
            f'client_id = "syncd-sandbox"\nclient_secret = "{SECRET}"\nusername = "api-admin"\n'
            f'password = "{PASSWORD}"\npage_size = {s["page_size"]}\nmax_attempts = 3\n'
            + (f'on_leave = "{s["on_leave"]}"\n' if "on_leave" in s else "")
        )

    def serve(self) -> RunningServer:
        """Put the simulator on a loopback port and point the config at it (for the real CLI)."""
        server = serve(self.sim)
        self.write_config(base_url=server.url)
        return server

    def runtime(self, *, full_readback: bool = False) -> Runtime:
        runtime = Runtime(
            load_config(self.config_path),
            clock=self.clock,
            transports={self.target_name: self.wire or self.sim.transport()},
            full_readback=full_readback,
        )
        runtime.upgrade()
        return runtime

    def run(
        self, *, dry_run: bool = False, force: bool = False, full_readback: bool = False
    ) -> RunReport:
        self.hr.write()
        runtime = self.runtime(full_readback=full_readback)
        try:
            return runtime.run_once(dry_run=dry_run, force=force)
        finally:
            runtime.close()

    def poll_jobs(self) -> None:
        """What the daemon's job poller does between cycles, once."""
        runtime = self.runtime()
        try:
            runtime.poll_jobs(runtime.targets()[0])
        finally:
            runtime.close()

    def complete_course(self, user: str, course: str, at: dt.datetime, score: float) -> None:
        """A learner completes a course in the LMS, as in its own UI (the LMS's ids)."""
        self.sim.set_enrollment_progress(
            int(course), int(user), status="completed", score=score, completed_at=at
        )

    def state(self) -> LmsState:
        """What the LMS holds, in neutral terms (logins, group keys)."""
        return LMSS[self.simulates].state(self.sim)

    def login(self, employee_id: str) -> str:
        """The name the LMS knows this employee's account by."""
        return _username(self.hr.person(employee_id))

    def group_names(self) -> dict[str, str]:
        """The names this world's config gives the config groups, by ref."""
        renamed = {} if self.clashing_names else self.renamed
        return {ref: renamed.get(name, name) for ref, name in GROUP_NAMES.items()}

    def group_key(self, ref: str, name: str | None = None) -> GroupKey:
        """How the LMS keys the group HR calls `ref` (`org_unit:SAL`, `group:all-staff`),
        named `name` (by default, as HR or the config names it now)."""
        kind, _, code = ref.partition(":")
        if name is None:
            name = self.hr.unit(code)["name"] if kind == "org_unit" else self.group_names()[ref]
        return LMSS[self.simulates].group_key(GroupRef(GroupKind(kind), code), name)

    def plan(self, report: RunReport) -> list[tuple[str, str]]:
        return [(op.kind, op.key) for op in report.targets[0].operations]

    def cli(self, *args: str) -> tuple[int, str, str]:
        """`syncd -c <config> ARGS` as a user runs it (against the loopback URL in the config)."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["-c", str(self.config_path), *args])
        return code, out.getvalue(), err.getvalue()

    # --- what Docebo should hold, computed from the HR rows alone ----------------------------

    def present(self) -> list[dict[str, str]]:
        """Active people, and inactive ones Docebo still has (deactivated, not deleted)."""
        known = set(self.sim.snapshot().users)
        return [
            p
            for p in self.hr.people
            if p.get("status", "active") != "inactive" or _username(p) in known
        ]

    def expectation(self) -> Expectation:
        """What any LMS should hold, in HR terms, computed from the HR rows alone."""
        people = self.present()
        countries = set(eval(self.settings["sales_countries"]))
        sales = [p for p in people if p["department"] == "Sales" and p["country"] in countries]
        members = {(f"org_unit:{p['org_unit']}", _username(p)) for p in people if p["org_unit"]}
        members |= {("group:all-staff", _username(p)) for p in people}
        members |= {("group:sales-emea", _username(p)) for p in sales}
        members |= {
            ("group:engineering", _username(p)) for p in people if p["department"] == "Engineering"
        }
        gdpr = {_username(p) for p in sales} | {
            _username(p) for p in people if p["org_unit"] == "SUP-EU"
        }
        enrolled = {e["employee_id"] for e in self.hr.enrollments}
        extra = {
            (e["course_code"], _username(self.hr.person(e["employee_id"])))
            for e in self.hr.enrollments
            if e["employee_id"] in enrolled & {p["employee_id"] for p in people}
        }
        by_id = {p["employee_id"]: p for p in people}
        managers = frozenset(
            (f"org_unit:{p['org_unit']}", _username(by_id[p["manager_id"]]))
            for p in people
            if p["org_unit"]
            and p.get("manager_id") in by_id
            and by_id[p["manager_id"]].get("status", "active") != "inactive"
        )
        return Expectation(
            managers=managers,
            users={
                _username(p): (
                    p["email"],
                    p["first_name"],
                    p["last_name"],
                    p.get("status", "active") != "inactive",
                    p["employee_id"],
                )
                for p in people
            },
            units={u["code"]: (u["name"], u["parent_code"] or None) for u in self.hr.org_units},
            groups=dict(GROUP_NAMES),
            members=frozenset(members),
            enrollments=frozenset(
                {("SEC-101", _username(p)) for p in people}
                | {("GDPR-201", u) for u in gdpr}
                | extra
            ),
        )

    def expected(self) -> DoceboSnapshot:
        e = self.expectation()
        return DoceboSnapshot(
            users={u: view[:4] for u, view in e.users.items()},
            branches=e.units,
            branch_members=frozenset(
                (ref.removeprefix("org_unit:"), u)
                for ref, u in e.members
                if ref.startswith("org_unit:")
            ),
            groups=dict.fromkeys(e.groups.values(), ""),
            group_members=frozenset(
                (e.groups[ref], u) for ref, u in e.members if ref.startswith("group:")
            ),
            enrollments=e.enrollments,
        )

    def assert_in_step(self) -> None:
        actual, expected = self.sim.snapshot(), self.expected()
        assert actual.users == expected.users
        assert actual.branches == expected.branches
        assert actual.branch_members == expected.branch_members
        assert set(actual.groups) == set(expected.groups)
        assert actual.group_members == expected.group_members
        assert actual.enrollments == expected.enrollments


@dataclass(frozen=True)
class Expectation:
    """An LMS's wanted content in HR terms: usernames, unit codes, group refs, course codes."""

    users: dict[str, tuple[str, str, str, bool, str]]
    units: dict[str, tuple[str, str | None]]
    groups: dict[str, str]
    members: frozenset[tuple[str, str]]
    enrollments: frozenset[tuple[str, str]]
    managers: frozenset[tuple[str, str]] = frozenset()


GROUP_NAMES = {
    "group:all-staff": "All Staff",
    "group:sales-emea": "Sales EMEA",
    "group:engineering": "Engineering",
}


def iso(moment: dt.datetime) -> str:
    """A moment as the LMS APIs write one: `2026-01-05T09:00:00Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _username(person: dict[str, str]) -> str:
    return person.get("username") or person["email"]


def kinds(plan: Iterable[tuple[str, str]]) -> list[str]:
    return [kind for kind, _ in plan]
