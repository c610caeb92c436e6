"""Secrets never leave memory: one registry of secret values, scrubbed from any text.

Config loading registers every credential (`register`); connectors register the tokens
they receive (`register_token`, which keeps the most recent ones). The log pipeline,
error messages and status rows pass through `scrub` before they leave the process. An
LMS may echo a secret back encoded, so `register` also remembers its URL-encoded
(`quote`, `quote_plus`, either hex case), JSON-escaped (`\\uXXXX`, `\\/`) and base64 forms
(both alphabets, padded or not, alone or inside a longer value such as Basic
`user:secret`, whose whole base64 run is masked).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LENGTH = 4
_SECRET_KEY = re.compile(r"(secret|password|passwd|token|api_?key|authorization|jwt)", re.I)
_BASE64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"
_URLSAFE = str.maketrans("+/", "-_")
_PERCENT_HEX = re.compile(r"%[0-9A-F]{2}")


@dataclass(frozen=True, slots=True)
class _Forms:
    """One compiled set of secrets: every form of them, and those that are base64."""

    pattern: re.Pattern[str]
    base64: frozenset[str]  # the forms whose match widens to the base64 run around it

    @classmethod
    def of(cls, secrets: Iterable[str]) -> _Forms | None:
        cores = {core for secret in secrets for core in _base64_cores(secret)}
        forms = {form for secret in secrets for form in _text_forms(secret)} | cores
        ordered = sorted(forms, key=len, reverse=True)
        if not ordered:
            return None
        return cls(re.compile("|".join(map(re.escape, ordered))), frozenset(cores))


# Tokens an LMS issues (a Docebo access token lives an hour) are kept while recent: a
# daemon renews them for months, and a registry that only grew would cost ever more to
# rebuild and to match. Credentials from the config are kept for the process's life. The
# two are compiled apart, so that a renewed token does not recompile every credential.
RECENT_TOKENS = 64
_lock = threading.Lock()
_secrets: set[str] = set()
_tokens: dict[str, None] = {}  # the most recent tokens, oldest first
_credentials_forms: _Forms | None = None
_token_forms: _Forms | None = None


def register(*values: str | None) -> None:
    """Remember secret values (and their encoded forms) for good, so `scrub` masks them."""
    global _credentials_forms  # noqa: PLW0603 - process-wide registry, rebuilt under the lock
    with _lock:
        fresh = _fresh(values, _secrets)
        if fresh:
            _secrets.update(fresh)
            _credentials_forms = _Forms.of(_secrets)


def register_token(*values: str | None) -> None:
    """Remember tokens an LMS issued, among the `RECENT_TOKENS` most recent ones."""
    global _token_forms  # noqa: PLW0603 - process-wide registry, rebuilt under the lock
    with _lock:
        fresh = _fresh(values, _secrets | _tokens.keys())
        if fresh:
            _tokens.update(dict.fromkeys(fresh))
            for old in list(_tokens)[: max(0, len(_tokens) - RECENT_TOKENS)]:
                del _tokens[old]
            _token_forms = _Forms.of(_tokens)


def _fresh(values: tuple[str | None, ...], known: set[str]) -> set[str]:
    return {v for v in values if v and len(v) >= _MIN_SECRET_LENGTH and v not in known}


def scrub(text: str) -> str:
    """`text` with every registered secret, in any of its forms, replaced by the mask."""
    spans = [
        _span(text, match, forms)
        for forms in (_credentials_forms, _token_forms)
        if forms is not None
        for match in forms.pattern.finditer(text)
    ]
    return _masked(text, spans) if spans else text


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


def _text_forms(secret: str) -> set[str]:
    """The secret as itself, URL-encoded and JSON-escaped (PHP escapes `/` as `\\/`)."""
    quoted = {quote(secret), quote(secret, safe=""), quote_plus(secret), quote_plus(secret, "/")}
    quoted |= {_PERCENT_HEX.sub(lambda m: m.group().lower(), form) for form in quoted}
    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped |= {form.replace("/", "\\/") for form in escaped}
    return {secret, *quoted, *escaped}


def _base64_cores(secret: str) -> set[str]:
    """The base64 characters that the secret's bytes alone decide, at each of the three
    offsets it may sit at inside a longer encoded value, in both alphabets."""
    raw = secret.encode()
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode()
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6]
        cores |= {core, core.translate(_URLSAFE)}
    return cores


def _span(text: str, match: re.Match[str], forms: _Forms) -> tuple[int, int]:
    """Where to mask: the match, widened to its whole base64 run (and padding) if it is
    a base64 form, so that no bit of the secret stays in the neighbouring characters."""
    start, end = match.span()
    if match.group() not in forms.base64:
        return start, end
    start = len(text[:start].rstrip(_BASE64_CHARS))
    tail = text[end:].lstrip(_BASE64_CHARS)
    return start, len(text) - len(tail.lstrip("="))


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span (merged where they overlap) replaced by the mask."""
    parts: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if end <= done:
            continue
        parts.append(text[done:start] + MASK if start >= done else "")
        done = end
    return "".join(parts) + text[done:]
