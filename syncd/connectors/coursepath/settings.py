"""`CoursepathTarget`: what a `kind = "coursepath"` entry of `[[targets]]` holds.

The config validator takes this model from the Coursepath registration (`syncd.kinds`);
the connector reads its signing secret, acting member and knobs from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from syncd.config.targets import TargetBase
from syncd.config.values import Count, Flag, NonEmpty, Secret


class CoursepathTarget(TargetBase):
    """Coursepath: every call is made on behalf of `acting_email`, signed with `jwt_secret`."""

    kind: Literal["coursepath"] = "coursepath"
    jwt_secret: Secret
    acting_email: NonEmpty
    page_size: Count = Field(default=250, ge=1, le=1000)
    # Send Coursepath's invitation email to members syncd creates.
    send_invitations: Flag = False
    # Removing someone from a course deletes their results in Coursepath: off unless opted in.
    allow_result_deletion: Flag = False

    def secret_values(self) -> tuple[str, ...]:
        return (self.jwt_secret,)
