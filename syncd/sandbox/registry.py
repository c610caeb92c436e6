"""The sandbox as syncd uses it: a simulator per LMS kind, stocked with the demo course catalog.

`new_simulator` builds one for an in-process target (`sandbox = true`);
`serve_all` puts every kind on consecutive loopback ports for `syncd sandbox`.
The catalog holds the course codes that `config/syncd.toml` assigns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.docebo import DoceboSimulator
from syncd.sandbox.dokeos import DokeosSimulator
from syncd.sandbox.litmos import LitmosSimulator
from syncd.sandbox.server import RunningServer, serve

DEMO_COURSES = (
    ("SEC-101", "Security Awareness"),
    ("GDPR-201", "GDPR for Customer-Facing Teams"),
    ("SALES-301", "Negotiation Skills"),
    ("ENG-210", "Secure Coding"),
    ("LEAD-401", "Leading Teams"),
    ("ONB-100", "Welcome to Acme"),
)

COURSEPATH_ACTOR = "api@acme.example"  # the member the sandbox's JWTs act as


class Simulator(Protocol):
    def __call__(self, environ: Any, start_response: Any) -> Any: ...
    def transport(self) -> httpx.BaseTransport: ...
    def dump_state(self) -> dict[str, Any]: ...
    def load_state(self, data: dict[str, Any]) -> None: ...


def _coursepath() -> CoursepathSimulator:
    """Plain HTTP is admitted on loopback hosts, for `syncd sandbox`."""
    simulator = CoursepathSimulator(allow_plain_http_on_loopback=True)
    for code, name in DEMO_COURSES:
        simulator.seed_course(code, name)
    simulator.seed_member(COURSEPATH_ACTOR, "API Admin")
    return simulator


def _docebo() -> DoceboSimulator:
    simulator = DoceboSimulator()
    for code, name in DEMO_COURSES:
        simulator.seed_course(code, name)
    return simulator


def _dokeos() -> DokeosSimulator:
    simulator = DokeosSimulator()
    for code, name in DEMO_COURSES:
        simulator.seed_training(code, name)
    return simulator


def _litmos() -> LitmosSimulator:
    """Plain HTTP is admitted on loopback hosts, for `syncd sandbox`."""
    simulator = LitmosSimulator(allow_plain_http_on_loopback=True)
    for code, name in DEMO_COURSES:
        simulator.seed_course(code, name)
    return simulator


SIMULATORS: dict[str, Callable[[], Simulator]] = {
    "docebo": _docebo,
    "dokeos": _dokeos,
    "litmos": _litmos,
    "coursepath": _coursepath,  # last, so that the others keep their ports
}


def new_simulator(kind: str) -> Simulator:
    """A fresh simulator of `kind` with the demo catalog and the sandbox's credentials."""
    return SIMULATORS[kind]()


@dataclass(frozen=True, slots=True)
class ServedSimulator:
    kind: str
    server: RunningServer

    def describe(self) -> str:
        return f"{self.kind}: {self.server.url} (sandbox credentials, see docs/sandbox.md)"

    def shutdown(self) -> None:
        self.server.shutdown()


def serve_all(host: str, first_port: int) -> list[ServedSimulator]:
    """Every simulator on loopback, from `first_port` up (0: any free ports)."""
    served = []
    for offset, kind in enumerate(SIMULATORS):  # registry order: stable ports
        port = first_port + offset if first_port else 0
        served.append(ServedSimulator(kind, serve(new_simulator(kind), host, port)))
    return served
