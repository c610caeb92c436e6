"""`LmsKind`: all that syncd knows of one LMS kind, as one value.

A registration names the kind's target model (its `[[targets]]` keys), its connector
factory, its demo (a simulator stocked with the demo catalog, and the target that
reaches it) and the port `syncd sandbox` serves it on. `syncd.kinds` lists the
registrations; all else that differs by kind (the config validator, the runtime,
`syncd sandbox`) reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from syncd.config import TargetBase, kind_of

if TYPE_CHECKING:
    from syncd.connectors.base import ConnectorFactory
    from syncd.sandbox.demo import Demo, Simulator
    from syncd.sandbox.faults import Clock


class DemoOf(Protocol):
    """A kind's demo: a `syncd.sandbox.demo.Demo`, or a `DemoAt` that imports one on use."""

    @property
    def simulator(self) -> Callable[[Clock], Simulator]: ...
    @property
    def target(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class DemoAt:
    """The `DEMO` of the module named, imported when first used: the simulators (and the
    OpenAPI validator Litmos's needs) load only for `syncd sandbox` and sandboxed targets,
    not for `syncd status` or a run against real LMSs."""

    module: str

    def _demo(self) -> Demo:
        demo: Demo = import_module(self.module).DEMO
        return demo

    @property
    def simulator(self) -> Callable[[Clock], Simulator]:
        return self._demo().simulator

    @property
    def target(self) -> Mapping[str, str]:
        return self._demo().target


@dataclass(frozen=True, slots=True)
class LmsKind:
    """One LMS kind: `kind` is the value of its target model's `kind` Literal."""

    kind: str
    target_model: type[TargetBase]
    connector: ConnectorFactory
    # Its simulator stocked with the demo catalog, and the demo target that reaches it.
    demo: DemoOf
    # `syncd sandbox` serves it on --port plus this (the ports docs/sandbox.md lists).
    sandbox_port: int

    def __post_init__(self) -> None:
        if kind_of(self.target_model) != self.kind:
            model = self.target_model.__name__
            raise ValueError(f"{model} stands for kind {kind_of(self.target_model)!r}")
        if self.sandbox_port < 0:
            raise ValueError(f"{self.kind}: sandbox_port must be 0 or more")

    def demo_entry(self) -> dict[str, object]:
        """The `[[targets]]` entry of the default config for this kind, in-process."""
        named = {"name": f"{self.kind}-sandbox", "kind": self.kind, "sandbox": True}
        return named | dict(self.demo.target)
