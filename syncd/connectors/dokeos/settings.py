"""`DokeosTarget`: what a `kind = "dokeos"` entry of `[[targets]]` holds.

The config validator takes this model from the Dokeos registration (`syncd.kinds`);
the connector reads its token and knobs from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from syncd.config.targets import TargetBase
from syncd.config.values import Count, Secret


class DokeosTarget(TargetBase):
    """Dokeos API V2: a bearer API token; lists of up to 100 a page."""

    kind: Literal["dokeos"] = "dokeos"
    api_token: Secret
    page_size: Count = Field(default=100, ge=1, le=100)
    batch_size: Count = Field(default=100, ge=1, le=500)

    def secret_values(self) -> tuple[str, ...]:
        return (self.api_token,)
