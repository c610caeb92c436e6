"""`CoursepathTarget`: what a `kind = "coursepath"` entry of `[[targets]]` holds.

The config validator takes this model from the Coursepath registration (`syncd.kinds`);
the connector reads its signing secret, acting member and knobs from it.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from syncd.config.targets import TargetBase
from syncd.config.values import Count, Flag, NonEmpty, Secret


class CoursepathTarget(TargetBase):
    """Coursepath: every call is made on behalf of `acting_email`, signed with `jwt_secret`."""

    kind: Literal["coursepath"] = "coursepath"
    jwt_secret: Secret
    acting_email: NonEmpty
    page_size: Count = Field(default=250, ge=1, le=1000)
    # Send Coursepath's invitation email to members syncd creates (needs `notify`).
    send_invitations: Flag = False
    # Removing someone from a course deletes their results in Coursepath: off unless opted in.
    allow_result_deletion: Flag = False

    @model_validator(mode="after")
    def _invitations_need_notify(self) -> Self:
        """An invitation is an email and nothing else: `notify = false` forbids it, so
        asking for both is a mistake said at load time, not invitations silently dropped."""
        if self.send_invitations and not self.notify:
            raise ValueError(
                "send_invitations = true emails each new member an invitation, which"
                " notify = false forbids: set notify = true to send invitations"
            )
        return self

    def secret_values(self) -> tuple[str, ...]:
        return (self.jwt_secret,)
