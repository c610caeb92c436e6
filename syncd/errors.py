"""The one error tree of syncd, branched by what the caller should do.

    SyncdError
    ├── ConfigError               the config or command line is wrong: exit 2
    ├── RetriableError            5xx, 408, 429, Litmos's 503, timeouts: try again later
    ├── FatalError                401/403 after re-auth, unexpected 4xx: stop this target
    ├── SkippableError            one record or one request refused: record it, go on
    ├── PlanTooDestructiveError   a plan exceeds a safety limit: stop unless forced
    ├── ImportRefusedError        an HR import looks truncated: refuse it, mirror untouched
    └── ShutdownRequestedError    SIGTERM/SIGINT came during a wait: send nothing more, record, stop

Connectors translate HTTP statuses into these in one place per connector
family; the engine decides by class, never by status code.
"""

from __future__ import annotations


class SyncdError(Exception):
    """Root of every error syncd raises on purpose."""


class ConfigError(SyncdError):
    """The configuration (or the command line) is wrong. The message names the key and file."""


class RetriableError(SyncdError):
    """A transient failure; the same request may succeed later.

    `retry_after`: the seconds the LMS's last answer asked to wait (its Retry-After), when
    the HTTP client gave up on it. Within a request the client itself sleeps Retry-After
    between its attempts; past the last one, this is read where syncd waits before trying
    again: the job poller does not poll that job again sooner (`reconcile/poll.py`). Kept
    rather than removed for that: the LMS knows its outage better than a back-off guesses.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalError(SyncdError):
    """The target cannot be worked with this cycle (bad credentials, refused access)."""


class SkippableError(SyncdError):
    """One record or one request was refused by the LMS; the rest of the work goes on."""


class PlanTooDestructiveError(SyncdError):
    """A plan removes more than a safety limit allows; `--force` applies it anyway."""


class ImportRefusedError(SyncdError):
    """An HR import shrank sharply against the previous one and was refused before the mirror."""


class ShutdownRequestedError(SyncdError):
    """syncd was asked to stop (SIGTERM, SIGINT) while it waited (a retry's backoff, a
    Retry-After, a rate limit): nothing more is sent; the cycle records what it did and stops."""
