"""The Litmos wire rules every call meets: key, source, format, rate, paging.

`screen` refuses a call before routing (403 for a bad key or source, 406
without `format=json`, 503 past the rolling rate limit); `page` applies
search, sort, dir, start and limit to a list. Called under the app lock.
"""

from __future__ import annotations

import calendar
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TypeVar

from syncd.sandbox.litmos.state import LitmosState
from syncd.sandbox.messages import HttpError, Request

T = TypeVar("T")

RATE_MESSAGE = "The API rating limit has been exceeded"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
SINCE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def api_key(request: Request) -> str | None:
    """The key from the `apikey` query parameter (the seed) or header (the spec)."""
    return request.arg("apikey") or request.header("apikey")


def screen(state: LitmosState, request: Request, expected_key: str) -> None:
    key = api_key(request)
    if key != expected_key:
        raise HttpError(403, "The API key is missing or not valid")
    if not (request.arg("source") or "").strip():
        raise HttpError(403, "The source parameter is required")
    if (request.arg("format") or "").lower() != "json":
        raise HttpError(406, "The sandbox answers JSON only: add format=json")
    count_call(state, key)


def count_call(state: LitmosState, key: str) -> None:
    """Count a call against `key`'s rolling window; 503 once the window is full."""
    now = state.clock()
    calls = state.calls.setdefault(key, deque())
    while calls and calls[0] <= now - state.rate_window:
        calls.popleft()
    if len(calls) >= state.rate_limit:
        raise HttpError(503, RATE_MESSAGE)
    calls.append(now)


def int_arg(request: Request, name: str, default: int) -> int:
    text = request.arg(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise HttpError(400, f"'{name}' must be an integer") from None


def window(request: Request) -> tuple[int, int]:
    """`(start, limit)`: start 0+, limit 1..1000 (406 above 1000, as the spec says)."""
    start = int_arg(request, "start", 0)
    limit = int_arg(request, "limit", DEFAULT_LIMIT)
    if start < 0 or limit < 1:
        raise HttpError(400, "start must be 0+ and limit 1..1000")
    if limit > MAX_LIMIT:
        raise HttpError(406, "The maximum number of records to return is 1000")
    return start, limit


def page(request: Request, items: Sequence[T]) -> list[T]:
    start, limit = window(request)
    return list(items[start : start + limit])


def search_sort(
    request: Request,
    items: Sequence[dict[str, object]],
    searched: Sequence[str],
    sortable: Sequence[str],
) -> list[dict[str, object]]:
    """Filter on `search` (case-insensitive, any of `searched`), then sort/dir."""
    found = list(items)
    needle = (request.arg("search") or "").casefold()
    if needle:
        found = [i for i in found if any(needle in str(i.get(f, "")).casefold() for f in searched)]
    key = request.arg("sort")
    if key is None:
        return found
    if key not in sortable:
        raise HttpError(400, f"sort must be one of {', '.join(sortable)}")
    return sorted(found, key=_sort_key(key), reverse=_descending(request))


def _sort_key(field: str) -> Callable[[dict[str, object]], str]:
    return lambda item: str(item.get(field, "")).casefold()


def _descending(request: Request) -> bool:
    direction = (request.arg("dir") or "ASC").upper()
    if direction not in {"ASC", "DESC"}:
        raise HttpError(400, "dir must be ASC or DESC")
    return direction == "DESC"


def since_arg(request: Request, name: str, *, required: bool) -> float | None:
    """A `since`/`to` moment (UTC) in one of the spec's formats; 406 otherwise."""
    text = request.arg(name)
    if text is None or text == "":
        if required:
            raise HttpError(406, _since_message(name))
        return None
    for fmt in SINCE_FORMATS:
        try:
            return float(calendar.timegm(time.strptime(text, fmt)))
        except ValueError:
            continue
    raise HttpError(406, _since_message(name))


def _since_message(name: str) -> str:
    return (
        f"Please provide a valid '{name}=' query string parameter. Valid formats are "
        "'yyyy-MM-dd HH:mm:ss' or 'yyyy-MM-dd HH:mm' or 'yyyy-MM-dd'"
    )
