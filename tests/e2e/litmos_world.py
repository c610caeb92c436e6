"""The end-to-end world against Litmos: same HR files and rules, the Litmos simulator.

Org units become teams and sub-teams (a child unit under its parent's team), config
groups top-level teams; the HR code rides in each team's Description. Memberships are
team members, enrollments course assignments. The simulator's rolling rate limit runs
on the world's fake clock, which the connector's limiter advances while it waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from syncd.sandbox import DEMO_COURSES, LitmosSimulator
from tests.e2e.harness import World

KEY = "litmos-api-key-value-5521"
SOURCE = "syncd-e2e"
# Litmos team names are unique account-wide, and two config groups of RULES_TOML share
# their names with org units ("Sales EMEA", "Engineering"): this world renames them.
RENAMED = {"Sales EMEA": "Sales EMEA (group)", "Engineering": "Engineering (group)"}


class LitmosWorld(World):
    kind = "litmos"
    simulates = "litmos"
    target_name = "litmos-main"
    lists_inactive_members = False
    cannot = frozenset({"update_group", "move_group"})
    renamed: ClassVar[Mapping[str, str]] = RENAMED

    def make_simulator(self) -> Any:
        sim = LitmosSimulator(api_key=KEY, clock=lambda: self.clock.now().timestamp())
        for code, name in DEMO_COURSES:
            sim.seed_course(code, name)
        return sim

    def complete_course(self, user: str, course: str, at: dt.datetime, score: float) -> None:
        self.sim.complete_course(user, course, score=score, completed_at=at.timestamp())

    def target_toml(self) -> str:
        return (
            f'[[targets]]\nname = "{self.target_name}"\nkind = "{self.kind}"\n'
            f'base_url = "https://api.litmos.com/v1.svc"\napi_key = "{KEY}"\n'
            f'source = "{SOURCE}"\nmax_attempts = 3\n'
        )

    def present(self) -> list[dict[str, str]]:
        """Active people, and inactive ones Litmos still has (deactivated, not deleted)."""
        known = {user[0] for user in self.sim.snapshot().users}
        return [
            p
            for p in self.hr.people
            if p.get("status", "active") != "inactive" or (p.get("username") or p["email"]) in known
        ]

    def assert_in_step(self) -> None:
        actual, want = self.sim.snapshot(), self.expectation()
        assert {u[0]: u[1:] for u in actual.users} == {
            name: (first, last, email, active)
            for name, (email, first, last, active, _) in want.users.items()
        }
        unit_names = {f"org_unit:{code}": name for code, (name, _) in want.units.items()}
        names = {**unit_names, **self.group_names()}
        assert sorted(actual.teams, key=str) == sorted(
            (
                (name, unit_names[f"org_unit:{want.units[ref[9:]][1]}"])
                if ref.startswith("org_unit:") and want.units[ref[9:]][1]
                else (name, None)
                for ref, name in names.items()
            ),
            key=str,
        )
        # Litmos lists (and syncd only sees) the active members of a team.
        active = {u for u, view in want.users.items() if view[3]}
        members = {(names[ref], u) for ref, u in want.members if u in active}
        assert {(t, u) for t, u in actual.members if u in active} == members
        assert {(code, user) for user, code, _, _ in actual.assignments} == want.enrollments
