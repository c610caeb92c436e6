"""The independent minimum: the fewest requests each LMS's documented API allows for a
cycle, from the LMS's state before it and after it, never from syncd's plan.

One module per LMS (`docebo`, `litmos`, `dokeos`, `coursepath`), each a `Minimum`
(rules.py); `state.py` reads and compares states in neutral terms, `desired.py` computes
HR's desired state for the state check. `minimum_for(sim)` finds the rules of a
simulator (a kind registered over one of the four is measured as that one).
"""

from __future__ import annotations

from typing import Any

from benchmarks.minimum import coursepath, docebo, dokeos, litmos
from benchmarks.minimum.rules import Minimum

MINIMUMS: tuple[Minimum, ...] = (
    docebo.MINIMUM,
    dokeos.MINIMUM,
    coursepath.MINIMUM,
    litmos.MINIMUM,
)


def minimum_for(sim: Any) -> Minimum:
    """The minimum of the LMS `sim` simulates."""
    for minimum in MINIMUMS:
        if isinstance(sim, minimum.simulator):
            return minimum
    raise LookupError(f"no minimum for {type(sim).__name__}")
