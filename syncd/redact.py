"""Secrets never leave memory: one registry of secret values, scrubbed from any text.

Config loading registers every credential; connectors register tokens as they
receive them. The log pipeline, error messages and status rows pass through
`scrub` before they leave the process.
"""

from __future__ import annotations

import re
import threading
from typing import Any

MASK = "***"
_MIN_SECRET_LENGTH = 4
_SECRET_KEY = re.compile(r"(secret|password|passwd|token|api_?key|authorization|jwt)", re.I)
_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(*values: str | None) -> None:
    """Remember secret values so that `scrub` masks them wherever they appear."""
    global _pattern  # noqa: PLW0603 - one process-wide registry, rebuilt under the lock
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= _MIN_SECRET_LENGTH)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None


def scrub(text: str) -> str:
    """`text` with every registered secret replaced by the mask."""
    pattern = _pattern
    return pattern.sub(MASK, text) if pattern else text


def is_secret_key(name: str) -> bool:
    """True for keys whose values are secrets by their name alone (password, api_key...)."""
    return bool(_SECRET_KEY.search(name))


def scrub_value(value: Any) -> Any:
    """Scrub strings inside nested dicts, lists and tuples; secret-named keys are masked whole."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: MASK if _masks(k, v) else scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_value(v) for v in value)
    return value


def _masks(key: object, value: object) -> bool:
    return isinstance(key, str) and is_secret_key(key) and isinstance(value, str) and bool(value)
