"""`DoceboTarget`: what a `kind = "docebo"` entry of `[[targets]]` holds.

The config validator takes this model from the Docebo registration (`syncd.kinds`);
the connector reads its credentials and knobs from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from syncd.config.targets import TargetBase
from syncd.config.values import Count, Secret


class DoceboTarget(TargetBase):
    """Docebo: OAuth2 password grant with an API app's client and a service account."""

    kind: Literal["docebo"] = "docebo"
    client_id: Secret
    client_secret: Secret
    username: Secret
    password: Secret
    page_size: Count = Field(default=200, ge=1, le=200)
    batch_size: Count = Field(default=100, ge=1, le=1000)

    def secret_values(self) -> tuple[str, ...]:
        return (self.client_id, self.client_secret, self.username, self.password)
