"""The end-to-end world against Dokeos: same HR files and rules, the Dokeos simulator.

Org units and config groups become flat Dokeos groups coded `org_unit:<CODE>` and
`group:<code>`; memberships are learners, a person's HR manager a manager of the group
of their org unit; enrollments are participations.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from syncd.sandbox import DEMO_COURSES, DokeosSimulator
from tests.e2e.harness import World, iso

TOKEN = "dokeos-token-value-7731"


class DokeosWorld(World):
    kind = "dokeos"
    simulates = "dokeos"
    target_name = "dokeos-main"
    managers = True
    nested_groups = False
    token = TOKEN

    def make_simulator(self) -> Any:
        sim = DokeosSimulator(api_token=self.token, clock=lambda: self.clock.now().timestamp())
        for code, name in DEMO_COURSES:
            sim.seed_training(code, name)
        return sim

    def complete_course(self, user: str, course: str, at: dt.datetime, score: float) -> None:
        self.sim.set_progress(
            int(user), int(course), status="completed", score=score, completed_at=iso(at)
        )

    def target_toml(self) -> str:
        token = json.dumps(self.token)  # a JSON string of ASCII is a TOML basic string
        return (
            f'[[targets]]\nname = "{self.target_name}"\nkind = "{self.kind}"\n'
            f'base_url = "{self.settings["base_url"]}"\napi_token = {token}\n'
            f"page_size = 20\nmax_attempts = 3\n"
            + (f"notify = {self.settings['notify']}\n" if "notify" in self.settings else "")
        )

    def assert_in_step(self) -> None:
        actual, want = self.sim.snapshot(), self.expectation()
        assert actual.users == want.users
        units = {f"org_unit:{code}": name for code, (name, _) in want.units.items()}
        assert actual.groups == {**units, **want.groups}
        assert actual.learners == want.members
        assert actual.managers == want.managers
        assert actual.participations == want.enrollments
