"""The LMS kinds syncd speaks: one registration each (`KINDS`), and what reads them.

A fifth LMS is its connector package (with its target model), its simulator package
(with its `demo.py`), its tests, its docs page and one line in `KINDS`. The config
validator takes the registered target models (`load_config`), the runtime builds
connectors (`build_connector`) and in-process sandboxes (`sandboxed`) through them,
`syncd sandbox` serves their simulators (`serve_all`). `register` adds a kind for the
length of a `with` block (tests); `registered()` is every kind known right now.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from syncd import config
from syncd.clock import FastForwardClock
from syncd.config import Config, TargetBase
from syncd.connectors import coursepath, docebo, dokeos, litmos
from syncd.connectors.base import Connector, ConnectorContext, Transport
from syncd.connectors.coursepath.settings import CoursepathTarget
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.connectors.dokeos.settings import DokeosTarget
from syncd.connectors.litmos.settings import LitmosTarget
from syncd.errors import ConfigError
from syncd.kinds import inprocess
from syncd.kinds.kind import DemoAt, LmsKind

if TYPE_CHECKING:
    from syncd.sandbox import ServedSimulator

__all__ = [
    "KINDS",
    "LmsKind",
    "build_connector",
    "demo_targets",
    "load_config",
    "lookup",
    "register",
    "registered",
    "sandboxed",
    "serve_all",
]

# In the order config errors list them. Coursepath joined the sandbox after Litmos: it is
# served on the port after Litmos's, so that the ports docs/sandbox.md gives stay put.
KINDS: tuple[LmsKind, ...] = (
    LmsKind("docebo", DoceboTarget, docebo.factory, DemoAt("syncd.sandbox.docebo.demo"), 0),
    LmsKind("dokeos", DokeosTarget, dokeos.factory, DemoAt("syncd.sandbox.dokeos.demo"), 1),
    LmsKind(
        "coursepath",
        CoursepathTarget,
        coursepath.factory,
        DemoAt("syncd.sandbox.coursepath.demo"),
        3,
    ),
    LmsKind("litmos", LitmosTarget, litmos.factory, DemoAt("syncd.sandbox.litmos.demo"), 2),
)

_registered: dict[str, LmsKind] = {kind.kind: kind for kind in KINDS}


def registered() -> tuple[LmsKind, ...]:
    """Every kind known right now: `KINDS`, then any a test registered, in that order."""
    return tuple(_registered.values())


def lookup(kind: str) -> LmsKind:
    """The registration of `kind`; a ConfigError naming the known ones if there is none."""
    found = _registered.get(kind)
    if found is None:
        raise ConfigError(f"no LMS kind {kind!r}; known: {', '.join(sorted(_registered))}")
    return found


@contextmanager
def register(kind: LmsKind) -> Iterator[LmsKind]:
    """`kind` registered for the length of the block (a kind or port taken is a ValueError)."""
    ports = {known.sandbox_port for known in _registered.values()}
    if kind.kind in _registered or kind.sandbox_port in ports:
        raise ValueError(f"{kind.kind}: the kind or sandbox port {kind.sandbox_port} is taken")
    _registered[kind.kind] = kind
    try:
        yield kind
    finally:
        del _registered[kind.kind]


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """`syncd.config.load_config` over the registered kinds' target models."""
    return config.load_config(path, [kind.target_model for kind in registered()], env)


def build_connector(target: TargetBase, ctx: ConnectorContext) -> Connector:
    """The connector for `target`, built by the factory registered for its kind."""
    found = _registered.get(target.kind)
    if found is None:
        known = ", ".join(sorted(_registered))
        raise ConfigError(
            f"target {target.name}: no connector for kind {target.kind!r}; known: {known}"
        )
    return found.connector(target, ctx)


def sandboxed(target: TargetBase, clock: FastForwardClock) -> AbstractContextManager[Transport]:
    """`target`'s simulator in-process on `clock` (shared with its connector), its state
    loaded from `sandbox_state` before and saved after."""
    return inprocess.session(lookup(target.kind), target, clock)


def serve_all(host: str, first_port: int) -> list[ServedSimulator]:
    """Every kind's demo simulator on loopback, each at `first_port` plus its sandbox port
    (0: any free ports), on the real clock, in port order."""
    from syncd.sandbox import ServedSimulator, serve  # noqa: PLC0415 - only `syncd sandbox` serves

    served = []
    for kind in sorted(registered(), key=lambda k: k.sandbox_port):
        port = first_port + kind.sandbox_port if first_port else 0
        served.append(ServedSimulator(kind.kind, serve(kind.demo.simulator(time.time), host, port)))
    return served


def demo_targets() -> list[dict[str, object]]:
    """The `[[targets]]` of the default config (config/syncd.toml): one in-process sandbox
    of each kind, listed as `syncd sandbox` serves them."""
    return [kind.demo_entry() for kind in sorted(registered(), key=lambda k: k.sandbox_port)]
