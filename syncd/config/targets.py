"""The targets: one model per LMS kind, each with its credentials and knobs.

A new LMS joins as one model here and one member of `TargetConfig`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field

from syncd.config.values import (
    DEFAULT_SANDBOX_DIR,
    Code,
    Count,
    Flag,
    NonEmpty,
    Seconds,
    Secret,
    StrictModel,
    check_base_url,
)

MAX_TIMEOUT_SECONDS = 300  # per request: a longer wait is a hung LMS, not a slow one


class TargetBase(StrictModel):
    """What every target has, whatever its LMS."""

    name: Code
    kind: str
    base_url: Annotated[str, AfterValidator(check_base_url)]
    enabled: Flag = True
    sandbox: Flag = False
    sandbox_state: Path | None = None
    courses: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    on_leave: Literal["deactivate", "delete"] = "deactivate"
    timeout_seconds: Seconds = Field(default=30, gt=0, le=MAX_TIMEOUT_SECONDS)
    max_attempts: Count = Field(default=6, ge=1)

    @property
    def sandbox_state_path(self) -> Path:
        """Where the in-process simulator keeps this target's state between runs."""
        return self.sandbox_state or DEFAULT_SANDBOX_DIR / f"{self.name}.json"

    def secret_values(self) -> tuple[str, ...]:
        """The credential values of this target, for `syncd.redact.register`."""
        return ()


class DoceboTarget(TargetBase):
    kind: Literal["docebo"] = "docebo"
    client_id: Secret
    client_secret: Secret
    username: Secret
    password: Secret
    page_size: Count = Field(default=200, ge=1, le=200)
    batch_size: Count = Field(default=100, ge=1, le=1000)

    def secret_values(self) -> tuple[str, ...]:
        return (self.client_id, self.client_secret, self.username, self.password)


class DokeosTarget(TargetBase):
    """Dokeos API V2: a bearer API token; lists of up to 100 a page."""

    kind: Literal["dokeos"] = "dokeos"
    api_token: Secret
    page_size: Count = Field(default=100, ge=1, le=100)
    batch_size: Count = Field(default=100, ge=1, le=500)

    def secret_values(self) -> tuple[str, ...]:
        return (self.api_token,)


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


class LitmosTarget(TargetBase):
    """Litmos: an api key and a source name on every call, within a rolling rate limit."""

    kind: Literal["litmos"] = "litmos"
    api_key: Secret
    # Free text naming the caller, on every call; Litmos takes at most 50 characters (seed 004).
    source: Annotated[NonEmpty, Field(max_length=50)]
    # Where the key rides: the `apikey` header (never in a URL), or the query as the seed shows.
    apikey_in: Literal["header", "query"] = "header"
    # Litmos allows 100 requests in any rolling 60 s (seed 004); the margin absorbs the skew
    # between our clock and Litmos's count, so a 503 never comes in normal operation.
    requests_per_minute: Count = Field(default=95, ge=1)
    page_size: Count = Field(default=1000, ge=1, le=1000)
    # Course assignment emails the learner unless told not to (spec, AssignCoursestoUser):
    # syncd sends `sendmessage=false` unless this is true.
    send_course_emails: Flag = False
    # The fields a new account gets that HR does not own (Litmos requires them, spec `User`).
    access_level: NonEmpty = "Learner"
    time_zone: NonEmpty = "UTC"
    skip_first_login: Flag = False

    def secret_values(self) -> tuple[str, ...]:
        return (self.api_key,)


# A new LMS joins as one more member of the union inside the Annotated.
TargetConfig = Annotated[
    DoceboTarget | DokeosTarget | CoursepathTarget | LitmosTarget, Field(discriminator="kind")
]


def target_kinds() -> tuple[str, ...]:
    """The `kind`s this version knows, from the members of `TargetConfig`."""
    union = get_args(TargetConfig)[0]
    members: tuple[type[TargetBase], ...] = get_args(union) or (union,)
    return tuple(get_args(member.model_fields["kind"].annotation)[0] for member in members)
