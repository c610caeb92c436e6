"""A sandboxed target's simulator, in-process, on the clock its connector is given.

The simulator's state lives in the target's `sandbox_state` file between runs, with the
time its clock had reached: the next run's clock (a `FastForwardClock`) catches up
with that time first, so nothing the simulator stamped is ever ahead of its clock,
however much the earlier run's waits skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd.hr.export import write_atomically

if TYPE_CHECKING:
    from syncd.clock import FastForwardClock
    from syncd.config import TargetBase
    from syncd.connectors.base import Transport
    from syncd.kinds.kind import LmsKind
    from syncd.sandbox.demo import Simulator

CLOCK, STATE = "clock", "simulator"  # the state file's two keys


@contextmanager
def session(kind: LmsKind, target: TargetBase, clock: FastForwardClock) -> Iterator[Transport]:
    """The transport to `target`'s simulator, its state loaded before and saved after."""
    path = Path(target.sandbox_state_path)
    simulator = kind.demo.simulator(clock.timestamp)  # its well-known credentials (docs/sandbox.md)
    if path.exists():
        _load(path, simulator, clock)
    try:
        yield simulator.transport()
    finally:
        _save(path, simulator, clock)


def _load(path: Path, simulator: Simulator, clock: FastForwardClock) -> None:
    saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if saved.keys() != {CLOCK, STATE}:  # a bare dump, written before the clock was kept
        saved = {CLOCK: None, STATE: saved}
    if saved[CLOCK] is not None:
        clock.skip_to(dt.datetime.fromtimestamp(saved[CLOCK], dt.UTC))
    simulator.load_state(saved[STATE])


def _save(path: Path, simulator: Simulator, clock: FastForwardClock) -> None:
    saved = {CLOCK: clock.timestamp(), STATE: simulator.dump_state()}
    write_atomically(path, json.dumps(saved, sort_keys=True))
