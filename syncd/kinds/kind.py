"""`LmsKind`: all that syncd knows of one LMS kind, as one value.

A registration names the kind's target model (its `[[targets]]` keys), its connector
factory, its demo (a simulator stocked with the demo catalog, and the target that
reaches it) and the port `syncd sandbox` serves it on. `syncd.kinds` lists the
registrations; all else that differs by kind (the config validator, the runtime,
`syncd sandbox`) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syncd.config import TargetBase, kind_of

if TYPE_CHECKING:
    from syncd.connectors.base import ConnectorFactory
    from syncd.sandbox.demo import Demo


@dataclass(frozen=True, slots=True)
class LmsKind:
    """One LMS kind: `kind` is the value of its target model's `kind` Literal."""

    kind: str
    target_model: type[TargetBase]
    connector: ConnectorFactory
    # Its simulator stocked with the demo catalog, and the demo target that reaches it.
    demo: Demo
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
