"""Dokeos's HTTP side: the V2 media type and the bearer token on every call, status
classification, and paged reads of the `{"data": [...], "meta": {...}}` envelope.

`DokeosClient` is what the connector calls, one request at a time. The token is static,
so nothing can renew it: 401 is fatal, and so are 406 and 410 (the API version refused or
withdrawn), each with Dokeos's own words. Every other status reads as `default_classify`.
A job's poll (`job`) is read apart: 403, 404 and 410 concern that one job (a refusal, a
SkippableError, whose `status` says which), unless the 410 withdraws the API version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

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
from syncd.connectors.outcomes import ClientSettings
from syncd.errors import FatalError
from syncd.redact import register

ACCEPT = "application/vnd.dokeos+json;version=2"
USERS = "/users"
USER = "/user"  # DELETE /user/:id: singular, as Dokeos spells it
GROUPS = "/groups"
TRAININGS = "/trainings"
PARTICIPATIONS = "/participations"
JOBS = "/jobs"
MAX_PAGE_SIZE = 100
# No re-authentication can help a static token; a refused API version is a config matter.
FATAL_STATUSES = frozenset({401, 406, 410})
# On `GET /jobs/:id`: this job is refused (403) or gone (404, 410), not the whole target.
JOB_REFUSALS = frozenset({403, 404, 410})
VERSION_WITHDRAWN = "api_version_withdrawn"

JsonObject = dict[str, Any]


def dokeos_classify(response: httpx.Response) -> Verdict:
    """Dokeos's reading of statuses: the common one, but 401, 406 and 410 stop the target."""
    if response.status_code in FATAL_STATUSES:
        return Verdict.FATAL
    return default_classify(response)


def job_classify(response: httpx.Response) -> Verdict:
    """A job poll: 403, 404 and 410 refuse that job only (SKIP), unless the 410 says the
    API version is withdrawn (every call would get it: stop the target)."""
    status = response.status_code
    if status in JOB_REFUSALS and not (
        status == 410 and _error_code(response) == VERSION_WITHDRAWN
    ):
        return Verdict.SKIP
    return dokeos_classify(response)


def _error_code(response: httpx.Response) -> str | None:
    """Dokeos's `error` code from an error body, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body.get("error")) if isinstance(body, dict) else None


class ApiToken:
    """The Authenticator of a Dokeos target: its static bearer token, and the V2 `Accept`
    header that every call must carry along with it."""

    def __init__(self, token: str) -> None:
        register(token)
        self._headers = {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def invalidate(self) -> None:
        """Nothing to forget: a static token is never renewed (401 is classified fatal)."""


class DokeosClient:
    """Authenticated JSON calls to one Dokeos platform, one at a time (an `LmsClient`)."""

    def __init__(self, settings: ClientSettings, api_token: str) -> None:
        self.http = HttpClient(
            settings.base_url,
            transport=settings.transport,
            guard=settings.guard,
            clock=settings.clock,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            auth=ApiToken(api_token),
            classify=dokeos_classify,
        )
        self.page_size = max(1, min(settings.page_size, MAX_PAGE_SIZE))

    def get(self, path: str, params: Params | None = None) -> Any:
        """The decoded body of a GET."""
        return json_body(self.http.get(path, params=params), f"GET {path}")

    def job(self, job_id: str) -> Any:
        """The decoded body of `GET /jobs/:job_id`; a refused or gone job raises
        RequestRefusedError (see `job_classify`)."""
        path = f"{JOBS}/{quote(job_id, safe='')}"
        return json_body(self.http.get(path, classify=job_classify), f"GET {path}")

    def send(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Params | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The decoded body of a write (None when Dokeos answers with no body)."""
        response = self.http.request(method, path, json=body, params=params, idempotent=idempotent)
        return json_body(response, f"{method} {path}") if response.content else None

    def pages(self, path: str, params: Params | None = None) -> Iterator[JsonObject]:
        """Every item of a list endpoint, page 1 on (Dokeos serves them by ascending id)."""
        base = {**(params or {}), "per_page": self.page_size}

        def fetch(page: int) -> Page[JsonObject, int]:
            return _page(self.get(path, {**base, "page": page}), page, self.page_size, path)

        return paginate(fetch, 1, what=path)

    @property
    def stats(self) -> HttpStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()


def _page(body: Any, asked: int, per_page: int, path: str) -> Page[JsonObject, int]:
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise FatalError(f"GET {path}: page {asked} has no list of data")
    raw_meta = body.get("meta")
    meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    served = _int(meta.get("page")) or asked
    total_pages = _int(meta.get("total_pages"))
    # Without total_pages, a full page may have a successor (a page past the end is empty).
    more = served < total_pages if total_pages is not None else len(items) >= per_page
    return Page(items=items, served=served, next=served + 1 if more else None)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
