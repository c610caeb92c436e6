"""What every per-record peer shares: a fresh copy of the simulator loaded with the state
before the cycle, an HTTP client to it (the same transport seam syncd is handed), and the
to-do list a simple script works out from one read of the lists.

A peer reads the LMS's lists once, compares them with what HR asks (`wanted`, the state
check's desired state) and sends one request per person and per fact: a user to create or
update, a group, a membership, an enrollment. Like syncd, it leaves the memberships and
enrollments of people HR no longer has active as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.minimum.state import Changes, LmsState, changes
from syncd.clock import FakeClock
from syncd.kinds import LmsKind


class PeerWorld:
    """A fresh simulator of `kind` holding `saved`, on its own fake clock from `start`."""

    def __init__(self, kind: LmsKind, saved: dict[str, Any], start: dt.datetime) -> None:
        self.clock = FakeClock(start=start)
        self.sim: Any = kind.demo.simulator(lambda: self.clock.now().timestamp())
        self.sim.load_state(saved)
        self.target = dict(kind.demo.target)
        self.http = httpx.Client(transport=self.sim.transport(), base_url=self.target["base_url"])

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True, slots=True)
class Todo:
    """What the peer will send, one request per item."""

    change: Changes
    active: frozenset[str]

    def of_active(self, items: frozenset[tuple[Any, str]]) -> list[tuple[Any, str]]:
        """Pairs (group or course, login) of people HR has active, in a stable order."""
        return sorted(((g, u) for g, u in items if u in self.active), key=str)


def todo(seen: LmsState, wanted: LmsState) -> Todo:
    active = frozenset(u for u, view in wanted.users.items() if view[3])
    return Todo(changes(seen, wanted), active)


def checked(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer (None for an empty one); anything else stops the peer."""
    response.raise_for_status()
    return response.json() if response.content else None


PeerRun = Callable[[PeerWorld, LmsState], None]
