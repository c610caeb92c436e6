"""A sandboxed target's simulator, in-process, its state kept between runs.

The simulator's state lives in the target's `sandbox_state` file: loaded before the
connector talks to it, saved after, so the sandbox behaves like an LMS that remembers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from syncd.hr.export import write_atomically

if TYPE_CHECKING:
    from syncd.config import TargetBase
    from syncd.connectors.base import Transport
    from syncd.kinds.kind import LmsKind


@contextmanager
def session(kind: LmsKind, target: TargetBase) -> Iterator[Transport]:
    """The transport to `target`'s simulator, its state loaded before and saved after."""
    path = Path(target.sandbox_state_path)
    simulator = kind.demo.simulator(time.time)  # its well-known credentials (docs/sandbox.md)
    if path.exists():
        simulator.load_state(json.loads(path.read_text(encoding="utf-8")))
    try:
        yield simulator.transport()
    finally:
        write_atomically(path, json.dumps(simulator.dump_state(), sort_keys=True))
