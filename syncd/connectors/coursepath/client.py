"""Coursepath's HTTP side: a fresh HS256 JWT on every call, status classification, and
paged reads of bare JSON arrays (`offset`/`limit`).

`CoursepathClient` is what the connector calls, one request at a time. Each request
carries a new token (`iat` from the injected clock, a random `jti`), so a 401 is worth
one retry with another token (`HttpClient`'s re-auth); a second 401 is a FatalError.
Every other status reads as `default_classify`. Plain HTTP is refused off loopback.
"""

from __future__ import annotations

import ipaddress
import uuid
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from syncd.clock import Clock
from syncd.connectors.http import HttpClient, HttpStats, Page, Params, json_body, paginate
from syncd.connectors.outcomes import ClientSettings
from syncd.errors import ConfigError, FatalError
from syncd.redact import register

API = "/api/v1"
MEMBERS = f"{API}/members"
COURSES = f"{API}/courses"
PROGRAMS = f"{API}/programs"
GROUPS = f"{API}/groups"
MAX_PAGE_SIZE = 1000
ALGORITHM = "HS256"
LOOPBACK_NAMES = frozenset({"localhost"})

JsonObject = dict[str, Any]


def check_scheme(base_url: str) -> None:
    """ConfigError for a plain-HTTP base URL whose host is not a loopback one."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return
    raise ConfigError(f"Coursepath needs an https:// base URL (got {parts.scheme}://)")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class JwtMinter:
    """The Authenticator of a Coursepath target: a new signed token for every request,
    acting as one member. The secret is registered with `syncd.redact`; tokens are not (the
    registry is process-wide and rebuilt on each call: one per request would grow without
    bound), and never leave this method: logs carry method, path and status only."""

    def __init__(self, secret: str, acting_email: str, clock: Clock) -> None:
        register(secret)
        self._secret, self._email, self._clock = secret, acting_email, clock

    def headers(self) -> dict[str, str]:
        claims = {
            "email": self._email,
            "iat": int(self._clock.now().timestamp()),
            "jti": uuid.uuid4().hex,
        }
        with warnings.catch_warnings():
            # The key is the academy's API key, whatever its length: PyJWT's advice is moot.
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return {"Accept": "application/json", "Authorization": f"Bearer {token}"}

    def invalidate(self) -> None:
        """Nothing to forget: the next request carries a new token anyway."""


class CoursepathClient:
    """Authenticated JSON calls to one Coursepath academy, one at a time (an `LmsClient`)."""

    def __init__(self, settings: ClientSettings, secret: str, acting_email: str) -> None:
        check_scheme(settings.base_url)
        self.http = HttpClient(
            settings.base_url,
            transport=settings.transport,
            guard=settings.guard,
            clock=settings.clock,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            auth=JwtMinter(secret, acting_email, settings.clock),
        )
        self.page_size = max(1, min(settings.page_size, MAX_PAGE_SIZE))

    def get(self, path: str, params: Params | None = None) -> Any:
        """The decoded body of a GET."""
        return json_body(self.http.get(path, params=params), f"GET {path}")

    def send(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Params | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The decoded body of a write (None when Coursepath answers with no body)."""
        response = self.http.request(method, path, json=body, params=params, idempotent=idempotent)
        return json_body(response, f"{method} {path}") if response.content else None

    def pages(self, path: str, params: Params | None = None) -> Iterator[JsonObject]:
        """Every item of a list endpoint, offset 0 on, until a page holds fewer than `limit`."""
        base = {**(params or {}), "limit": self.page_size}

        def fetch(offset: int) -> Page[JsonObject, int]:
            items = self.get(path, {**base, "offset": offset})
            return _page(items, offset, self.page_size, path)

        return paginate(fetch, 0, what=path)

    @property
    def stats(self) -> HttpStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()


def _page(items: Any, offset: int, limit: int, path: str) -> Page[JsonObject, int]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FatalError(f"GET {path}: offset {offset} is not a JSON array of objects")
    more = len(items) >= limit
    return Page(items=items, served=offset, next=offset + limit if more else None)
