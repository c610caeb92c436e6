"""Litmos's HTTP side: `source` and `format=json` on every call, a `Content-Type` header on
every call (seed 004: "With every request you must include a Content-Type header"), the
api key in the `apikey` header (or the query), the rolling rate limit, and paged reads of
bare arrays.

`LitmosClient` is what the connector calls, one request at a time. Every request passes
a `RollingLimiter` first (in the transport, so retries count too); a 503 that says the rate
limit was hit, in either documented wording (seed 004: "Rating Limit Exceeded"; the spec:
"The API rating limit has been exceeded"), is waited out on the clock and sent again.
401 and 403 are fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from syncd.connectors.http import (
    HttpClient,
    HttpStats,
    Page,
    Params,
    Verdict,
    default_classify,
    json_body,
    paginate,
)
from syncd.connectors.litmos.limiter import RollingLimiter, shared
from syncd.connectors.outcomes import ClientSettings
from syncd.errors import FatalError
from syncd.redact import register

USERS = "/users"
TEAMS = "/teams"
COURSES = "/courses"
RESULTS = "/results/details"
ACHIEVEMENTS = "/achievements"
MAX_PAGE_SIZE = 1000
RATE_WINDOW = 60.0
# Both wordings share this, case aside: "Rating Limit Exceeded" (seed), "The API rating limit
# has been exceeded" (spec). The words may come in the body or in the status line.
RATE_WORDS = "rating limit"
SEARCH_MAX = 50  # seed 004: `search` "String. Max length 50"
JSON_CONTENT = {"Content-Type": "application/json"}
FATAL_STATUSES = frozenset({401, 403})

JsonObject = dict[str, Any]


def litmos_classify(response: httpx.Response) -> Verdict:
    """The common reading, but a refused key or source (401, 403) stops the target."""
    if response.status_code in FATAL_STATUSES:
        return Verdict.FATAL
    return default_classify(response)


class ApiKey:
    """The Authenticator of a Litmos target: the headers every call carries, the `apikey`
    header (not in query mode) and `Content-Type: application/json`."""

    def __init__(self, key: str, *, in_header: bool) -> None:
        register(key)
        self._headers = {**JSON_CONTENT, "apikey": key} if in_header else dict(JSON_CONTENT)

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def invalidate(self) -> None:
        """Nothing to renew: a static key (401 is classified fatal)."""


class LimitedTransport(httpx.BaseTransport):
    """Passes every request through the limiter; a rate-limit 503 is waited out and resent
    (at most `attempts` times, then the 503 goes up to the HttpClient as retriable)."""

    def __init__(self, inner: httpx.BaseTransport, limiter: RollingLimiter, attempts: int) -> None:
        self._inner = inner
        self._limiter = limiter
        self._attempts = max(1, attempts)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(self._attempts - 1):
            response = self._send(request)
            if not _rate_limited(response):
                return response
            response.close()
            self._limiter.wait_out()
        return self._send(request)

    def _send(self, request: httpx.Request) -> httpx.Response:
        self._limiter.acquire()
        response = self._inner.handle_request(request)
        if response.status_code == 503:
            response.read()
        return response

    def close(self) -> None:
        self._inner.close()


def _rate_limited(response: httpx.Response) -> bool:
    """A 503 saying the rate limit was hit, in its body or its status line."""
    if response.status_code != 503:
        return False
    return RATE_WORDS in f"{response.reason_phrase} {response.text}".lower()


class LitmosClient:
    """Authenticated JSON calls to one Litmos account, one at a time, within its rate (an
    `LmsClient`)."""

    def __init__(
        self,
        settings: ClientSettings,
        api_key: str,
        *,
        source: str,
        key_in_query: bool,
        requests_per_minute: int,
    ) -> None:
        account = (settings.base_url, api_key)
        self.limiter = shared(settings.clock, account, requests_per_minute, RATE_WINDOW)
        inner = settings.transport or httpx.HTTPTransport()
        self.http = HttpClient(
            settings.base_url,
            transport=LimitedTransport(inner, self.limiter, settings.max_attempts),
            guard=settings.guard,
            clock=settings.clock,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            auth=ApiKey(api_key, in_header=not key_in_query),
            classify=litmos_classify,
        )
        self._base: dict[str, str] = {"source": source, "format": "json"}
        if key_in_query:
            self._base["apikey"] = api_key
        self.page_size = max(1, min(settings.page_size, MAX_PAGE_SIZE))

    def get(self, path: str, params: Params | None = None) -> Any:
        """The decoded body of a GET."""
        response = self.http.get(path, params={**self._base, **(params or {})})
        return json_body(response, f"GET {path}")

    def send(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Params | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The decoded body of a write (None when Litmos answers with no body)."""
        query = {**self._base, **(params or {})}
        response = self.http.request(method, path, params=query, json=body, idempotent=idempotent)
        return json_body(response, f"{method} {path}") if response.content else None

    def search(self, path: str, wanted: str) -> Iterator[JsonObject]:
        """The items of `path` whose text matches `wanted`: Litmos takes at most 50 characters
        of search, so a longer value is searched by its first 50 (callers compare in full)."""
        return self.pages(path, {"search": wanted[:SEARCH_MAX]})

    def pages(self, path: str, params: Params | None = None) -> Iterator[JsonObject]:
        """Every item of a list endpoint, `start` 0 on, until a page shorter than `limit`
        (an empty one included): Litmos pages by offset (seed 004: `start` the start
        record, `limit` the records to return), and each captured walk whose answers'
        Content-Length shows a short page found the page after it empty."""
        base = {**(params or {}), "limit": self.page_size}

        def fetch(start: int) -> Page[JsonObject, int]:
            items = _items(self.get(path, {**base, "start": start}), path)
            more = len(items) >= self.page_size
            return Page(items=items, served=start, next=start + len(items) if more else None)

        return paginate(fetch, 0, what=path)

    @property
    def stats(self) -> HttpStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()


def _items(body: Any, path: str) -> list[JsonObject]:
    if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
        raise FatalError(f"GET {path}: the page is not a JSON array of objects")
    return body
