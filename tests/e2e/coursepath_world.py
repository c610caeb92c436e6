"""The end-to-end world against Coursepath: same HR files, the Coursepath simulator.

Coursepath groups have names only, so org units and config groups both become groups
by NAME (the connector's `groups_have_codes=False`). The example data has an org unit
and a config group both named "Sales EMEA", and both named "Engineering": on Coursepath
those would share one group, and the membership of either writes to it (see the
connector's docstring). So this world's rules give the config groups distinct names
(`renamed`), as the connector asks an operator to do, and every group is
asserted with exactly its own members. Members are keyed by email (the username), the
acting admin member is left out; enrollments are (course code, email).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from syncd.sandbox import DEMO_COURSES
from syncd.sandbox.coursepath import CoursepathSimulator
from tests.e2e.harness import World, iso
from tests.lms_fixtures import COURSEPATH_ACTOR

JWT_SECRET = "coursepath-jwt-secret-value-4417"
ACTING_EMAIL = COURSEPATH_ACTOR  # the member the API acts as
OPTIONAL = ("notify", "send_invitations")  # target keys written only when a test sets them


class CoursepathWorld(World):
    kind = "coursepath"
    simulates = "coursepath"
    target_name = "coursepath-main"
    nested_groups = False
    cannot = frozenset({"update_group"})
    renamed: ClassVar[Mapping[str, str]] = {
        "Sales EMEA": "Sales EMEA (rule)",
        "Engineering": "Engineering (rule)",
    }

    def __init__(self, tmp_path: Path, database_url: str, **settings: str) -> None:
        settings.setdefault("allow_result_deletion", "true")
        super().__init__(tmp_path, database_url, **settings)

    def make_simulator(self) -> Any:
        sim = CoursepathSimulator(jwt_secret=JWT_SECRET, clock=lambda: self.clock.now().timestamp())
        for code, name in DEMO_COURSES:
            sim.seed_course(code, name)
        sim.seed_member(ACTING_EMAIL, "Syncd Admin")
        return sim

    def complete_course(self, user: str, course: str, at: dt.datetime, score: float) -> None:
        self.sim.set_result(int(course), int(user), score=score, success=True, completed=iso(at))

    def target_toml(self) -> str:
        s = self.settings
        return (
            f'[[targets]]\nname = "{self.target_name}"\nkind = "{self.kind}"\n'
            f'base_url = "{s["base_url"]}"\njwt_secret = "{JWT_SECRET}"\n'
            f'acting_email = "{ACTING_EMAIL}"\n'
            f"allow_result_deletion = {s['allow_result_deletion']}\n"
            f"page_size = 20\nmax_attempts = 3\n"
            + "".join(f"{key} = {s[key]}\n" for key in OPTIONAL if key in s)
        )

    def login(self, employee_id: str) -> str:
        return self.hr.person(employee_id)["email"]

    def present(self) -> list[dict[str, str]]:
        """Active people, and inactive ones Coursepath still has (deactivated, not deleted)."""
        known = set(self.sim.snapshot().members)
        return [p for p in self.hr.people if p["status"] != "inactive" or p["email"] in known]

    def assert_in_step(self) -> None:
        actual, want = self.sim.snapshot(), self.expectation()
        people = {p["employee_id"]: p for p in self.hr.people}
        members = {e: view for e, view in actual.members.items() if e != ACTING_EMAIL}
        assert members == {
            email: (
                f"{first} {last}",
                active,
                (
                    ("country", people[eid]["country"]),
                    ("department", people[eid]["department"]),
                    ("externalId", eid),
                ),
            )
            for email, first, last, active, eid in want.users.values()
        }
        assert actual.members[ACTING_EMAIL][1], "the acting member stays active"
        units = {code: name for code, (name, _) in want.units.items()}
        names = {**{f"org_unit:{c}": n for c, n in units.items()}, **self.group_names()}
        assert len(set(names.values())) == len(names), "group names must not collide"
        wanted: dict[str, set[str]] = {name: set() for name in names.values()}
        for ref, username in want.members:
            wanted[names[ref]].add(want.users[username][0])
        # Coursepath cannot rename or delete a group: a name no longer wanted stays, empty.
        groups = {name: set(emails) for name, emails in actual.groups.items()}
        stale = {name: emails for name, emails in groups.items() if name not in wanted}
        assert all(not emails for emails in stale.values()), stale
        assert {n: e for n, e in groups.items() if n in wanted} == wanted
        assert {(code, email) for code, email, *_ in actual.enrollments} == {
            (code, want.users[username][0]) for code, username in want.enrollments
        }
