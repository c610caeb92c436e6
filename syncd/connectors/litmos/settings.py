"""`LitmosTarget`: what a `kind = "litmos"` entry of `[[targets]]` holds.

The config validator takes this model from the Litmos registration (`syncd.kinds`);
the connector reads its key, source, rate and account defaults from it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from syncd.config.targets import TargetBase
from syncd.config.values import Count, Flag, NonEmpty, Secret

OLD_NOTIFY = "send_course_emails"  # how `notify` was spelled before every target had it


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
    # Deprecated: the old spelling of `notify` (every target's), read as `notify`; a target
    # that sets both must set them alike. It once switched only the course emails.
    send_course_emails: Flag | None = None
    # The fields a new account gets that HR does not own (Litmos requires them, spec `User`).
    access_level: NonEmpty = "Learner"
    time_zone: NonEmpty = "UTC"
    skip_first_login: Flag = False
    # The fewest requests a user import (`/bulkimports`, thousands of people a request,
    # processed by Litmos in the background) must save over single calls before a batch of
    # people (new and changed ones, their new teams and up to three courses) goes as one;
    # else one request each (connectors/litmos/people.py counts both). 0: never import.
    bulk_import_threshold: Count = Field(default=25, ge=0)
    # Whether an existing account's changes (names, email, active, new teams and courses)
    # may ride in an import row too. Off by default: the spec says an import can "create
    # and/or update user records" but no source says what an update row does to the fields
    # it leaves out (a PUT resets them); turn it on only where the tenant is known to keep
    # them. Off, changes of existing accounts go one by one (GET then PUT).
    update_accounts_by_import: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _old_notify_spelling(cls, data: Any) -> Any:
        """`send_course_emails` alone stands for `notify` (see `_one_notify`)."""
        if isinstance(data, dict) and OLD_NOTIFY in data and "notify" not in data:
            return {**data, "notify": data[OLD_NOTIFY]}
        return data

    @model_validator(mode="after")
    def _one_notify(self) -> Self:
        """A target that sets `notify` and its old spelling differently is a config error."""
        old = self.send_course_emails
        if old is not None and old != self.notify:
            raise ValueError(
                f"{OLD_NOTIFY} = {str(old).lower()} contradicts notify = "
                f"{str(self.notify).lower()} ({OLD_NOTIFY} is the deprecated spelling of "
                "notify: set notify alone)"
            )
        return self

    def secret_values(self) -> tuple[str, ...]:
        return (self.api_key,)
