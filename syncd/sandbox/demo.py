"""What the demo's simulators share: the course catalog and the shape of a simulator.

Each simulator package's `demo.py` holds its `Demo`: how to build its simulator stocked
with `DEMO_COURSES` (the codes `config/syncd.toml` assigns), and the `[[targets]]` keys
that reach it. `syncd.kinds` registers it per LMS kind, for the in-process sandbox,
`syncd sandbox` and the default config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from syncd.sandbox.faults import Clock
from syncd.sandbox.server import RunningServer

DEMO_COURSES = (
    ("SEC-101", "Security Awareness"),
    ("GDPR-201", "GDPR for Customer-Facing Teams"),
    ("SALES-301", "Negotiation Skills"),
    ("ENG-210", "Secure Coding"),
    ("LEAD-401", "Leading Teams"),
    ("ONB-100", "Welcome to Acme"),
)


class Simulator(Protocol):
    def __call__(self, environ: Any, start_response: Any) -> Any: ...
    def transport(self) -> httpx.BaseTransport: ...
    def dump_state(self) -> dict[str, Any]: ...
    def load_state(self, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class Demo:
    """One LMS's sandbox as the demo uses it."""

    # Builds the simulator stocked with the demo catalog, every notion of time on `clock`.
    simulator: Callable[[Clock], Simulator]
    # The `[[targets]]` keys besides name, kind and sandbox that reach it: base URL, credentials.
    target: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ServedSimulator:
    kind: str
    server: RunningServer

    def describe(self) -> str:
        return f"{self.kind}: {self.server.url} (sandbox credentials, see docs/sandbox.md)"

    def shutdown(self) -> None:
        self.server.shutdown()
