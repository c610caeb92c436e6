"""The end-to-end worlds of every LMS, keyed by LMS kind, behind one interface.

A world is HR files on disk, a config, one LMS's simulator and a fake clock; `run()` does
what `syncd run --once` does. `HrWorld` is what the scenario suite (test_hr_scenarios.py)
may use of one; `WORLDS` maps each LMS kind, as a target's `kind` names it, to its world;
`change` runs the cycle after an HR change. Every registered kind has a world: the world of
the simulator its demo builds (a new simulator joins with one world class, subclassing
harness.World; a kind registered over an existing simulator needs nothing here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from syncd.clock import FakeClock
from syncd.kinds import LmsKind, registered
from syncd.runtime import RunReport
from tests.e2e.coursepath_world import CoursepathWorld
from tests.e2e.dokeos_world import DokeosWorld
from tests.e2e.harness import Expectation, HrFiles, World
from tests.e2e.litmos_world import LitmosWorld
from tests.lms_fixtures import GroupKey, LmsState, drives, lms_of


class HrWorld(Protocol):
    """One LMS's world, as the scenario suite drives it (harness.World says what each
    member means; its subclasses are the worlds)."""

    kind: str
    target_name: str
    managers: bool
    nested_groups: bool
    lists_inactive_members: bool
    cannot: frozenset[str]
    hr: HrFiles
    clock: FakeClock
    sim: Any

    def run(self, *, dry_run: bool = ..., force: bool = ...) -> RunReport: ...
    def plan(self, report: RunReport) -> list[tuple[str, str]]: ...
    def write_config(self, **settings: str) -> None: ...
    def cli(self, *args: str) -> tuple[int, str, str]: ...
    def assert_in_step(self) -> None: ...
    def expectation(self) -> Expectation: ...
    def state(self) -> LmsState: ...
    def login(self, employee_id: str) -> str: ...
    def group_key(self, ref: str, name: str | None = None) -> GroupKey: ...
    def complete_course(self, user: str, course: str, at: dt.datetime, score: float) -> None: ...


Plan = list[tuple[str, str]]


_BY_SIMULATOR: dict[str, type[World]] = {
    world.simulates: world for world in (World, DokeosWorld, CoursepathWorld, LitmosWorld)
}


def _world_of(kind: LmsKind) -> type[World]:
    """The world of the simulator `kind`'s demo builds, its target of `kind`'s own kind."""
    base = _BY_SIMULATOR[drives(lms_of(kind))]
    if base.kind == kind.kind:
        return base
    return type(f"{base.__name__}As{kind.kind.title()}", (base,), {"kind": kind.kind})


# Every registered kind (a kind registered for the session, tests/kinds/toy_plugin.py, too).
WORLDS: dict[str, type[World]] = {kind.kind: _world_of(kind) for kind in registered()}


def change(world: HrWorld) -> Plan:
    """Run one cycle; check it applied cleanly, left the LMS in step, and that the next is
    empty. The plan it carried out."""
    report = world.run()
    target = report.targets[0]
    assert target.status == "ok", [(o.key, o.error) for o in target.operations if o.error]
    # The run says nothing but what the LMS does on its own (a Coursepath removal deletes
    # the learner's results, whatever `notify` says).
    notes = [] if target.message is None else target.message.split("; ")
    assert all(note.startswith(f"{target.kind}, on its own: ") for note in notes), notes
    world.assert_in_step()
    assert world.plan(world.run()) == [], "a second cycle must find nothing to do"
    return world.plan(report)
