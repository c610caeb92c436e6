"""The Litmos wire rules every call meets before routing, and the list helpers.

`screen` refuses a call (HTTPS, api key, rolling rate limit, `source`, `format=json`,
`Content-Type`, `search` length) in that order; `page` and `search_sort` shape a list
from query values `validation` has already admitted. Called under the app lock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from syncd.sandbox.litmos import words
from syncd.sandbox.litmos.state import LitmosState
from syncd.sandbox.litmos.validation import parse_moment
from syncd.sandbox.messages import HttpError, Request
from syncd.sandbox.server import is_loopback

T = TypeVar("T")

MAX_TEXT = 50  # seed: apikey, source and search are strings of at most 50 characters
DEFAULT_LIMIT = 100
CONTENT_TYPES = frozenset({"application/json", "text/xml"})  # seed: the only two
JSON_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Gate:
    """What the screen checks against: the account's key and the loopback knob."""

    api_key: str
    allow_plain_http_on_loopback: bool


def screen(state: LitmosState, request: Request, gate: Gate) -> None:
    check_scheme(request, gate.allow_plain_http_on_loopback)
    key = api_key(request)
    if key is None or len(key) > MAX_TEXT or key != gate.api_key:
        raise HttpError(403, words.SEED_FORBIDDEN)
    count_call(state, key)
    source = request.arg("source") or ""
    if not source.strip() or len(source) > MAX_TEXT:
        raise HttpError(403, words.SEED_FORBIDDEN)
    if (request.arg("format") or "").lower() != "json":
        raise HttpError(406, words.JSON_ONLY)
    check_content_type(request)
    if len(request.arg("search") or "") > MAX_TEXT:
        raise HttpError(400, words.SEED_BAD_REQUEST)


def check_scheme(request: Request, allow_plain_http_on_loopback: bool) -> None:
    """403 for plain HTTP (seed: "transmitted over a secure channel using HTTPS"), unless
    the knob allows it and the request's host is a loopback one (`syncd sandbox`)."""
    parts = urlsplit(request.origin)
    if parts.scheme == "https":
        return
    if allow_plain_http_on_loopback and is_loopback(parts.hostname or ""):
        return
    raise HttpError(403, words.SEED_FORBIDDEN)


def api_key(request: Request) -> str | None:
    """The key from the `apikey` query parameter (the seed) or header (the spec)."""
    return request.arg("apikey") or request.header("apikey")


def count_call(state: LitmosState, key: str) -> None:
    """Count a call against `key`'s rolling window, then 503 if the window already held
    the limit: every use of the key counts (seed: "if the api token has been used more
    than 100 times in the past 60 seconds"), refused calls included."""
    now = state.clock()
    calls = state.calls.setdefault(key, deque())
    while calls and calls[0] <= now - state.rate_window:
        calls.popleft()
    calls.append(now)
    if len(calls) > state.rate_limit:
        raise HttpError(503, state.rate_message)


def check_content_type(request: Request) -> None:
    """Seed: "With every request you must include a Content-Type header", text/xml or
    application/json; a body must be JSON (the sandbox reads no XML)."""
    media = (request.header("content-type") or "").split(";", maxsplit=1)[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise HttpError(400, words.SEED_BAD_REQUEST)
    if (request.body is not None or request.malformed) and media != JSON_TYPE:
        raise HttpError(400, words.JSON_BODIES_ONLY)


def window(request: Request) -> tuple[int, int]:
    """`(start, limit)` from admitted query values (defaults 0 and 100, the seed's)."""
    return int(request.arg("start") or 0), int(request.arg("limit") or DEFAULT_LIMIT)


def page(request: Request, items: Sequence[T]) -> list[T]:
    start, limit = window(request)
    return list(items[start : start + limit])


def search_sort(
    request: Request, items: Sequence[dict[str, object]], searched: Sequence[str]
) -> list[dict[str, object]]:
    """Filter on `search` (case-insensitive substring of any of `searched`), then order by
    an admitted `sort` and `dir` (validation refused any other value)."""
    found = list(items)
    needle = (request.arg("search") or "").casefold()
    if needle:
        found = [i for i in found if any(needle in str(i.get(f, "")).casefold() for f in searched)]
    key = request.arg("sort")
    if key is None:
        return found
    descending = (request.arg("dir") or "ASC").upper() == "DESC"
    return sorted(found, key=_sort_key(key), reverse=descending)


def _sort_key(field: str) -> Callable[[dict[str, object]], str]:
    return lambda item: str(item.get(field, "")).casefold()


def moment_arg(request: Request, name: str) -> float | None:
    """An admitted `since`/`to` (validation refused any other form), or None."""
    text = request.arg(name)
    return None if text is None else parse_moment(text)
