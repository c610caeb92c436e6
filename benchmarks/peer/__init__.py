"""The per-record peer: what most hand-written integrations do, one request per person and
fact, on the same HR data and the same starting state as syncd's cycle.

`run_peer` loads a fresh copy of the simulator with the state saved before the cycle,
runs the peer of that LMS (one module each) against it over HTTP, and returns its
requests by family and its state check (how the peer's LMS differs from HR's wish).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from benchmarks.families import by_family
from benchmarks.minimum.rules import Minimum
from benchmarks.minimum.state import LmsState, mismatches
from benchmarks.peer import coursepath, docebo, dokeos, litmos
from benchmarks.peer.base import PeerRun, PeerWorld
from syncd.kinds import LmsKind

PEERS: dict[str, PeerRun] = {
    "docebo": docebo.run,
    "dokeos": dokeos.run,
    "coursepath": coursepath.run,
    "litmos": litmos.run,
}


def run_peer(
    kind: LmsKind, saved: dict[str, Any], start: dt.datetime, wanted: LmsState, rules: Minimum
) -> tuple[Counter[str], list[str]]:
    """The peer's requests by family, and how its LMS differs from `wanted` afterwards."""
    world = PeerWorld(kind, saved, start)
    try:
        PEERS[rules.kind](world, wanted)
    finally:
        world.close()
    settle = getattr(world.sim, "run_jobs", None)
    if settle is not None:
        settle()  # Dokeos: the jobs the peer started, done
    return by_family(world.sim, world.sim.requests), mismatches(rules.read(world.sim), wanted)
