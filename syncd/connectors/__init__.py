"""The connectors, by the `kind` a target names: a plain dict registry.

The runtime calls `build_connector(target, ctx)`; a new LMS adds its factory to
`CONNECTORS` and nothing else changes. A kind with no connector is a ConfigError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syncd.connectors import coursepath, docebo, dokeos, litmos
from syncd.connectors.base import Connector, ConnectorContext, ConnectorFactory
from syncd.errors import ConfigError

if TYPE_CHECKING:
    from syncd.config import TargetConfig

CONNECTORS: dict[str, ConnectorFactory] = {
    "coursepath": coursepath.factory,
    "docebo": docebo.factory,
    "dokeos": dokeos.factory,
    "litmos": litmos.factory,
}


def build_connector(target: TargetConfig, ctx: ConnectorContext) -> Connector:
    """The connector for `target`, built by the factory registered for its kind."""
    factory = CONNECTORS.get(target.kind)
    if factory is None:
        known = ", ".join(sorted(CONNECTORS))
        raise ConfigError(
            f"target {target.name}: no connector for kind {target.kind!r}; known: {known}"
        )
    return factory(target, ctx)
