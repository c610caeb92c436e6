"""Docebo's HTTP side: OAuth2 password-grant tokens, status classification, paged reads.

`DoceboClient` is what the connector calls; it unwraps Docebo's `{"data": ...}`
envelope and walks list endpoints page by page in a stable ascending order.
`TokenAuth` fetches a token, renews it at 90 % of `expires_in` on the injected
clock and registers every secret it holds with `syncd.redact`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from syncd.clock import Clock
from syncd.connectors.http import (
    Classifier,
    HttpClient,
    HttpStats,
    Page,
    Params,
    Verdict,
    default_classify,
    json_body,
    paginate,
)
from syncd.connectors.outcomes import ClientSettings
from syncd.errors import FatalError
from syncd.redact import register, register_token

OAUTH2 = "/oauth2/token"
USERS = "/manage/v1/user"
USER_BATCH = "/manage/v1/user/batch"
CHANGE_STATUS = "/manage/v1/user/change_status"
USER_DELETE = "/manage/v1/user/delete"
REMOVE_FROM_BRANCH = "/manage/v1/user/remove_from_branch"
MOVE_TO_BRANCH = "/manage/v1/user/move_to_branch"
ORGCHART = "/manage/v1/orgchart"
ASSIGN_USERS = "/manage/v1/orgchart/assign_users"
GROUPS = "/manage/v1/group"
AUDIENCES = "/audiences/v1/audience"
COURSES = "/learn/v1/courses"
ENROLLMENTS = "/learn/v1/enrollments"
COURSE_ENROLLMENTS = "/course/v1/courses/{course_id}/enrollments"
RENEW_AT = 0.9
DEFAULT_EXPIRES_IN = 3600.0
MAX_PAGE_SIZE = 200

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    client_secret: str
    username: str
    password: str

    def form(self) -> dict[str, str]:
        return {
            "grant_type": "password",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "username": self.username,
            "password": self.password,
            "scope": "api",
        }


def docebo_classify(response: httpx.Response) -> Verdict:
    """Docebo's reading of statuses: the common one, plus 409 (another client's batch or
    branch call in flight, Docebo refuses concurrent ones) is worth a retry."""
    if response.status_code == 409:
        return Verdict.RETRY
    return default_classify(response)


def token_classify(response: httpx.Response) -> Verdict:
    """At the token endpoint every refusal (400 invalid_grant, 401 invalid_client, a wrong
    URL's 404) means the target cannot be worked with: fatal, never one skipped record."""
    verdict = default_classify(response)
    return Verdict.FATAL if verdict in (Verdict.SKIP, Verdict.REAUTH) else verdict


class TokenAuth:
    """The Authenticator of a Docebo target: one cached bearer token, renewed before it expires."""

    def __init__(self, http: HttpClient, credentials: Credentials, clock: Clock) -> None:
        register(credentials.client_secret, credentials.password)
        self._http = http
        self._credentials = credentials
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self.issued = 0

    def headers(self) -> dict[str, str]:
        if self._token is None or self._clock.monotonic() >= self._renew_at:
            self._token = self._fetch()
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> None:
        self._token = None

    def _fetch(self) -> str:
        started = self._clock.monotonic()
        response = self._http.request(
            "POST", OAUTH2, data=self._credentials.form(), idempotent=True
        )
        body = json_body(response, f"POST {OAUTH2}")
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise FatalError(f"POST {OAUTH2}: the answer carries no access_token")
        register_token(token, body.get("refresh_token"))
        self._renew_at = started + RENEW_AT * _expires_in(body)
        self.issued += 1
        return token


def _expires_in(body: Mapping[str, Any]) -> float:
    try:
        return float(body.get("expires_in", DEFAULT_EXPIRES_IN))
    except (TypeError, ValueError):
        return DEFAULT_EXPIRES_IN


class DoceboClient:
    """Authenticated JSON calls to one Docebo platform, one at a time (an `LmsClient`)."""

    def __init__(self, settings: ClientSettings, credentials: Credentials) -> None:
        self._token_http = _http(settings, None, token_classify)
        self.auth = TokenAuth(self._token_http, credentials, settings.clock)
        self.http = _http(settings, self.auth, docebo_classify)
        self.page_size = max(1, min(settings.page_size, MAX_PAGE_SIZE))

    def get(self, path: str, params: Params | None = None) -> Any:
        """The `data` of a GET."""
        return _data(self.http.get(path, params=params), f"GET {path}")

    def send(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Params | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The `data` of a write carrying a JSON body."""
        response = self.http.request(method, path, params=params, json=body, idempotent=idempotent)
        return _data(response, f"{method} {path}")

    def pages(
        self, path: str, *, sort_attr: str, params: Params | None = None
    ) -> Iterator[JsonObject]:
        """Every item of a list endpoint, page 1 on, sorted ascending by `sort_attr`."""
        base = {**(params or {}), "page_size": self.page_size}
        base |= {"sort_attr": sort_attr, "sort_dir": "asc"}

        def fetch(page: int) -> Page[JsonObject, int]:
            return _page(self.get(path, {**base, "page": page}), page, path)

        return paginate(fetch, 1, what=path)

    @property
    def stats(self) -> tuple[HttpStats, HttpStats]:
        """Counters of the API calls and of the token calls."""
        return self.http.stats, self._token_http.stats

    def close(self) -> None:
        self.http.close()
        self._token_http.close()


def _http(settings: ClientSettings, auth: TokenAuth | None, classify: Classifier) -> HttpClient:
    return HttpClient(
        settings.base_url,
        transport=settings.transport,
        guard=settings.guard,
        clock=settings.clock,
        timeout=settings.timeout,
        max_attempts=settings.max_attempts,
        auth=auth,
        classify=classify,
    )


def _data(response: httpx.Response, call: str) -> Any:
    body = json_body(response, call)
    if not isinstance(body, dict) or "data" not in body:
        raise FatalError(f"{call}: the answer has no data envelope")
    return body["data"]


def _page(data: Any, asked: int, path: str) -> Page[JsonObject, int]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FatalError(f"GET {path}: page {asked} has no list of items")
    served = _int(data.get("current_page"), asked)
    more = bool(data.get("has_more_data"))
    return Page(items=items, served=served, next=served + 1 if more else None)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
