"""Docebo end to end, what it does on its own: a first load of the example HR data with
`notify` on makes Docebo send exactly the emails the run's plan declared (its notification
email to each new user, through the user batch), and with `notify` off (the default) none."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.connectors.docebo import capabilities
from syncd.kinds import load_config
from tests.e2e.harness import World
from tests.e2e.side_effects import declared_effects


class NotifyingDocebo(World):
    """The Docebo world with the target's `notify` on."""

    def target_toml(self) -> str:
        return super().target_toml() + "notify = true\n"


@pytest.mark.parametrize("world_class", [World, NotifyingDocebo])
def test_a_first_load_makes_docebo_send_what_its_plan_declared(
    tmp_path: Path, database_url: str, world_class: type[World]
) -> None:
    world = world_class(tmp_path, database_url)
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", target.message
    world.assert_in_step()
    effects = capabilities(load_config(world.config_path).targets[0]).side_effects  # type: ignore[arg-type]
    declared = declared_effects(target, effects)
    assert world.sim.side_effects() == declared
    if world_class is NotifyingDocebo:
        people = sum(p.get("status", "active") != "inactive" for p in world.hr.people)
        assert declared == {"welcome_email": people}  # every active person is new
        assert "docebo, on its own: " in (target.message or "")
    else:
        assert declared == {}
        assert target.message is None
