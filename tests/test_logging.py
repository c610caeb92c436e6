"""Logs: JSON lines when not a terminal, readable on one, and no secret in either."""

from __future__ import annotations

import io
import json
import logging

import structlog

from syncd import redact
from syncd.logging import configure


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_when_not_a_terminal_with_secrets_masked() -> None:
    redact.register("tok-abcdef-123456")
    out = io.StringIO()
    configure("info", "auto", stream=out)
    structlog.get_logger().info("token_received", detail="got tok-abcdef-123456", password="x1")
    event = json.loads(out.getvalue().splitlines()[-1])
    assert event["event"] == "token_received"
    assert event["detail"] == "got ***"
    assert event["password"] == "***"


def test_readable_on_a_terminal_and_still_masked() -> None:
    redact.register("secret-for-tty-9876")
    out = _Terminal()
    configure("info", "auto", stream=out)
    structlog.get_logger().info("cycle_finished", note="secret-for-tty-9876")
    line = out.getvalue().splitlines()[-1]
    assert "cycle_finished" in line
    assert not line.startswith("{")
    assert "secret-for-tty-9876" not in line


def test_standard_library_logs_are_scrubbed_and_httpx_is_muted() -> None:
    redact.register("stdlib-secret-4242")
    out = io.StringIO()
    configure("info", "json", stream=out)
    logging.getLogger("alembic").warning("connecting with stdlib-secret-4242")
    logging.getLogger("httpx").info("HTTP Request: GET https://x.test/?apikey=stdlib-secret-4242")
    text = out.getvalue()
    assert "connecting with ***" in text
    assert "HTTP Request" not in text


def test_level_filters_debug() -> None:
    out = io.StringIO()
    configure("warning", "json", stream=out)
    structlog.get_logger().info("quiet")
    structlog.get_logger().warning("loud")
    assert "quiet" not in out.getvalue()
    assert "loud" in out.getvalue()
