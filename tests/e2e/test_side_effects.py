"""What an LMS does on its own, end to end: a first load of the example HR data makes
Docebo and Litmos send exactly what the run's plan totalled (the report's `side_effects`,
as the plan shows and the run records them), and with `notify` off (the default) nothing.
Coursepath's invitations and deleted results: tests/e2e/test_coursepath.py; Dokeos, which
does nothing on its own: test_dokeos_side_effects.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import World
from tests.e2e.litmos_world import LitmosWorld

WORLDS: dict[str, type[World]] = {"docebo": World, "litmos": LitmosWorld}


def _world(kind: str, notify: str, tmp_path: Path, database_url: str) -> World:
    base = WORLDS[kind]

    class Notifying(base):  # type: ignore[valid-type, misc]
        def target_toml(self) -> str:
            return str(super().target_toml()) + f"notify = {notify}\n"

    world: World = Notifying(tmp_path, database_url)
    return world


@pytest.mark.parametrize("notify", ["true", "false"])
@pytest.mark.parametrize("kind", sorted(WORLDS))
def test_a_first_load_makes_the_lms_send_what_its_plan_said(
    tmp_path: Path, database_url: str, kind: str, notify: str
) -> None:
    world = _world(kind, notify, tmp_path, database_url)
    target = world.run().targets[0]
    assert target.status == "ok", target.message
    world.assert_in_step()
    assert world.sim.side_effects() == dict(target.side_effects)
    if notify == "false":
        assert target.side_effects == {}
        assert target.message is None
        return
    people = sum(p.get("status", "active") != "inactive" for p in world.hr.people)
    assert target.side_effects["welcome_email"] == people  # every active person is new
    if kind == "litmos":
        assert target.side_effects["assignment_email"] >= people  # SEC-101 for all, and more
    assert f"{kind}, on its own: " in (target.message or "")
