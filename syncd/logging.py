"""structlog set-up, done once by the CLI: JSON on stderr when not a TTY, readable when one.

Every event passes the redaction processor, and so does the standard library's
logging (alembic, apscheduler): no registered secret and no secret-named field
leaves the process. httpx's own request lines (which carry full URLs) are muted.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog

from syncd.redact import scrub, scrub_value

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def redact_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """structlog processor: scrub secrets from every value, mask secret-named fields whole."""
    scrubbed: dict[str, Any] = scrub_value(dict(event_dict))
    return scrubbed


class _Stderr:
    """`sys.stderr` as it is at each write, not as it was at set-up: while the CLI's
    progress line shows, it is a proxy that prints log lines above that line."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    out: Any = stream or _Stderr()
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console" or (fmt == "auto" and out.isatty())
        else structlog.processors.JSONRenderer(sort_keys=True)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level]),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    _configure_stdlib(out)


class _ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def _configure_stdlib(out: Any) -> None:
    handler = logging.StreamHandler(out)
    handler.setFormatter(_ScrubbingFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
