"""Litmos end to end, what it does on its own: a first load of the example HR data with
`notify` on makes Litmos send exactly the emails the run's plan declared (a login email per
new account, a course email per course assigned, most of them through a user import), and
with `notify` off (the default) none at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.connectors.litmos import capabilities
from syncd.kinds import load_config
from tests.e2e.litmos_world import LitmosWorld
from tests.e2e.side_effects import declared_effects


class NotifyingLitmos(LitmosWorld):
    """The Litmos world with the target's `notify` on."""

    def target_toml(self) -> str:
        return super().target_toml() + "notify = true\n"


@pytest.mark.parametrize("world_class", [LitmosWorld, NotifyingLitmos])
def test_a_first_load_makes_litmos_send_what_its_plan_declared(
    tmp_path: Path, database_url: str, world_class: type[LitmosWorld]
) -> None:
    world = world_class(tmp_path, database_url)
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    world.assert_in_step()
    effects = capabilities(load_config(world.config_path).targets[0]).side_effects  # type: ignore[arg-type]
    declared = declared_effects(target, effects)
    assert world.sim.side_effects() == declared
    if world_class is NotifyingLitmos:
        people = sum(p.get("status", "active") != "inactive" for p in world.hr.people)
        assert declared["welcome_email"] == people  # every active person is new
        assert declared["assignment_email"] >= people  # SEC-101 for everyone, and more
        assert "litmos, on its own: " in (target.message or "")
    else:
        assert declared == {}
        assert target.message is None
