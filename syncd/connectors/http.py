"""The shared HTTP client every connector speaks through, and a loop-guarded paginator.

`HttpClient.request` follows redirects, retries transient failures with full-jitter
backoff on the injected clock, re-authenticates once on 401 and turns every other
failure into the error tree of `syncd.errors`. Messages and log lines carry method and
path only (never a query string or a body) and pass through `syncd.redact.scrub`.

Redirects are followed here, not by httpx, and only within the origin (scheme, host,
port) of the request: there they keep their credentials. A redirect to any other origin
(a downgrade to http, and an upgrade to https too: `base_url` should say https) is refused
with a `ForeignRedirectError` naming that origin (never its path or query) before a byte
is sent there. Decided over "follow without credentials": httpx strips only
`Authorization`, while a credential may ride in any header (Litmos's `apikey`) or the
query; a 307 would carry the body (people's data) along; and an LMS that moved is a
config matter (the target's `base_url`), not something to guess around.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

import httpx
import structlog

from syncd import metrics
from syncd.clock import Clock
from syncd.errors import FatalError, RetriableError, SkippableError
from syncd.redact import scrub

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REDIRECTS = 5
# Failures raised before a byte of the request left: always safe to send again.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures that retrying cannot fix: a bad URL scheme, a malformed request.
_CLIENT_FAULTS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)
_MESSAGE_KEYS = ("message", "error_description", "error", "errors", "detail", "title", "name")
_MAX_MESSAGE = 300

Params = Mapping[str, str | int | float | bool | Sequence[str]]  # a sequence: the name repeated


class Authenticator(Protocol):
    """Supplies auth headers (fetching or renewing a token as needed) and forgets them on 401."""

    def headers(self) -> dict[str, str]: ...
    def invalidate(self) -> None: ...


class Verdict(StrEnum):
    """What a response means for the caller; a connector family's `classify` decides it."""

    OK = "ok"
    RETRY = "retry"
    REAUTH = "reauth"
    FATAL = "fatal"
    SKIP = "skip"


Classifier = Callable[[httpx.Response], Verdict]


class OutcomeUnknownError(RetriableError):
    """A non-idempotent request failed after it may have reached the server: look, then resend."""


class ForeignRedirectError(FatalError):
    """The LMS redirected to another origin; not followed, so nothing was sent there."""


class RequestRefusedError(SkippableError):
    """The LMS refused one request (a 4xx); `detail` holds the LMS's own words."""

    def __init__(self, message: str, *, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


def default_classify(response: httpx.Response) -> Verdict:
    """The common reading of HTTP statuses: 2xx fine, transient ones retried, 4xx skipped."""
    status = response.status_code
    if 200 <= status < 300:
        return Verdict.OK
    if status in RETRY_STATUSES:
        return Verdict.RETRY
    if status == 401:
        return Verdict.REAUTH
    if 400 <= status < 500 and status != 403:
        return Verdict.SKIP
    return Verdict.FATAL


def lms_message(response: httpx.Response) -> str:
    """The LMS's own words from an error body (JSON message fields, else the text), scrubbed."""
    try:
        words = _words(response.json())
    except ValueError:
        words = ""
    text = " ".join((words or response.text).split())
    return scrub(text[:_MAX_MESSAGE])


def _words(body: object) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(filter(None, map(_words, body)))
    if isinstance(body, dict):
        named = {str(key).lower(): value for key, value in body.items()}  # Litmos: "Detail"
        found = (_words(named[key]) for key in _MESSAGE_KEYS if named.get(key))
        return "; ".join(filter(None, [next(filter(None, found), ""), _field_errors(body)]))
    return "" if body is None else str(body)


def _field_errors(body: dict[str, object]) -> str:
    """Per-field reasons (`{"fields": {"email": "already used"}}`), which carry the real cause."""
    fields = body.get("fields")
    if not isinstance(fields, dict):
        return ""
    return ", ".join(f"{name}: {_words(reason)}" for name, reason in fields.items())


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(slots=True)
class HttpStats:
    """Counters for benchmarks: requests by method, retries, re-auths, final statuses."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    reauths: int = 0
    redirects: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def answered(self, response: httpx.Response, redirects: int) -> None:
        self.statuses[response.status_code] += 1
        self.redirects += redirects


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    path: str
    params: Params | None
    json: object
    data: Mapping[str, str] | None
    idempotent: bool
    classify: Classifier | None = None  # this call's own reading of statuses, if any

    @property
    def where(self) -> str:
        """The path without its query string (keys may ride there), scrubbed."""
        return scrub(self.path.partition("?")[0])

    def __str__(self) -> str:
        return f"{self.method} {self.where}"


@dataclass(slots=True)
class _Tries:
    sent: int = 0
    failures: int = 0
    reauthed: bool = False


class HttpClient:
    """A synchronous httpx client with retries, backoff, one re-auth and error classification."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock,
        timeout: float,
        max_attempts: int,
        auth: Authenticator | None,
        backoff_base: float = 0.5,
        backoff_cap: float = 60.0,
        classify: Classifier = default_classify,
        rng: random.Random | None = None,
        guard: Callable[[], None] | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,  # followed by `_follow`, within the origin only
        )
        self._clock = clock
        self._max_attempts = max(1, max_attempts)
        self._auth = auth
        self._base = backoff_base
        self._cap = backoff_cap
        self._classify = classify
        self._rng = rng or random.Random()
        self._guard = guard  # before every write request: raises once the lane is lost
        self.stats = HttpStats()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: object = None,
        data: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        classify: Classifier | None = None,
    ) -> httpx.Response:
        """Send until a 2xx (returned) or a final error (raised); see the module docstring.
        `classify` reads this call's statuses instead of the client's classifier."""
        method = method.upper()
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        call = _Call(method, path, params, json, data, safe, classify)
        tries = _Tries()
        while True:
            response = self._attempt(call, tries)
            if response is not None:
                return response

    def get(
        self, path: str, *, params: Params | None = None, classify: Classifier | None = None
    ) -> httpx.Response:
        return self.request("GET", path, params=params, classify=classify)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _attempt(self, call: _Call, tries: _Tries) -> httpx.Response | None:
        try:
            response = self._send(call, tries)
        except httpx.TransportError as err:
            self._on_transport_error(call, tries, err)
            return None
        except httpx.RequestError as err:  # too many redirects, undecodable body
            raise FatalError(f"{call}: {type(err).__name__}") from err
        return self._on_response(call, tries, response)

    def _send(self, call: _Call, tries: _Tries) -> httpx.Response:
        if self._guard is not None and call.method not in READ_METHODS:
            self._guard()
        headers = self._auth.headers() if self._auth else {}
        tries.sent += 1
        self.stats.requests[call.method] += 1
        started = self._clock.monotonic()
        try:
            response = self._client.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                data=call.data,
                headers=headers,
            )
            response, hops = self._follow(call, response)
        except httpx.RequestError as err:
            self._log(call, tries, started, None, error=type(err).__name__)
            metrics.http_answered(None)
            raise
        self.stats.answered(response, hops)
        metrics.http_answered(response.status_code)
        self._log(call, tries, started, response.status_code)
        return response

    def _follow(self, call: _Call, response: httpx.Response) -> tuple[httpx.Response, int]:
        """The answer at the end of the redirects (at most MAX_REDIRECTS, all within the
        request's origin), and how many were followed; see the module docstring."""
        here = _origin(response.request.url)
        hops = 0
        while (next_request := response.next_request) is not None:
            hops += 1
            if hops > MAX_REDIRECTS:
                raise httpx.TooManyRedirects(
                    "Exceeded maximum allowed redirects.", request=next_request
                )
            there = _origin(next_request.url)
            if there != here:
                log = structlog.get_logger(__name__)
                log.warning("http_redirect_refused", path=call.where, origin=_shown(there))
                raise _foreign(call, response, there, here)
            response = self._client.send(next_request)
        return response, hops

    def _log(
        self, call: _Call, tries: _Tries, started: float, status: int | None, **extra: str
    ) -> None:
        elapsed_ms = round((self._clock.monotonic() - started) * 1000, 1)
        log = structlog.get_logger(__name__)  # per event: a cached logger would miss test capture
        emit = log.info if status is not None and status < 400 else log.warning
        emit(
            "http_request",
            method=call.method,
            path=call.where,
            status=status,
            attempt=tries.sent,
            elapsed_ms=elapsed_ms,
            **extra,
        )

    def _on_transport_error(self, call: _Call, tries: _Tries, err: httpx.TransportError) -> None:
        name = type(err).__name__
        if isinstance(err, _CLIENT_FAULTS):
            raise FatalError(f"{call}: {name}") from err
        if not (call.idempotent or isinstance(err, _NEVER_SENT)):
            raise OutcomeUnknownError(
                f"{call}: {name}; not resent, the request may have reached the server"
            ) from err
        self._fail_or_wait(call, tries, name, None, err)

    def _on_response(
        self, call: _Call, tries: _Tries, response: httpx.Response
    ) -> httpx.Response | None:
        verdict = (call.classify or self._classify)(response)
        if verdict is Verdict.OK:
            return response
        if verdict is Verdict.REAUTH:
            self._reauthenticate(call, tries, response)
        elif verdict is Verdict.RETRY:
            wait = parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
            limited = wait is not None or response.status_code == 429
            self._fail_or_wait(call, tries, _status_words(response), wait, None, limited=limited)
        else:
            raise _refusal(call, verdict, response)
        return None

    def _reauthenticate(self, call: _Call, tries: _Tries, response: httpx.Response) -> None:
        if self._auth is None or tries.reauthed:
            again = " after re-authentication" if tries.reauthed else ""
            raise FatalError(f"{call}: {_status_text(response)}{again}: {lms_message(response)}")
        tries.reauthed = True
        self.stats.reauths += 1
        self._auth.invalidate()

    def _fail_or_wait(
        self,
        call: _Call,
        tries: _Tries,
        reason: str,
        wait: float | None,
        cause: Exception | None,
        *,
        limited: bool = False,
    ) -> None:
        """Raise once the attempts are spent, else wait before the next; `limited`: the
        LMS's rate limit asked for the wait (a 429, or a Retry-After), not a failure."""
        tries.failures += 1
        if tries.failures >= self._max_attempts:
            message = f"{call}: {reason}, gave up after {tries.failures} attempts"
            raise RetriableError(message, retry_after=wait) from cause
        self.stats.retries += 1
        delay = self._delay(tries.failures, wait)
        if limited:
            metrics.rate_limit_waited(delay)
        self._clock.sleep(delay)

    def _delay(self, failures: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._cap)
        return self._rng.uniform(0.0, min(self._cap, self._base * 2 ** (failures - 1)))


Origin = tuple[str, str, int | None]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: httpx.URL) -> Origin:
    """Scheme, host and port (the scheme's default when none is written)."""
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _shown(origin: Origin) -> str:
    """`scheme://host[:port]`, scrubbed: no path, no query, no user info."""
    scheme, host, port = origin
    shown = f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS.get(scheme) else f":{port}")
    return scrub(shown)


def _foreign(call: _Call, response: httpx.Response, there: Origin, here: Origin) -> Exception:
    return ForeignRedirectError(
        f"{call}: {_status_text(response)}: the LMS redirected to another origin, "
        f"{_shown(there)}; not followed (credentials and data go to {_shown(here)} only): "
        "check the target's base_url"
    )


def _status_text(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}"


def _status_words(response: httpx.Response) -> str:
    words = lms_message(response)
    return f"{_status_text(response)} ({words})" if words else _status_text(response)


def _refusal(call: _Call, verdict: Verdict, response: httpx.Response) -> Exception:
    detail = lms_message(response)
    message = f"{call}: {_status_text(response)}: {detail}"
    if verdict is Verdict.SKIP:
        return RequestRefusedError(message, status=response.status_code, detail=detail)
    return FatalError(message)


# --- pagination ----------------------------------------------------------------------------

ItemT = TypeVar("ItemT")
TokenT = TypeVar("TokenT", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT, TokenT]):
    """One page: its items, the page or cursor the server says it served, what to ask next."""

    items: Sequence[ItemT]
    served: TokenT
    next: TokenT | None


class LoopGuard:
    """Remembers page numbers, cursors or node ids; one seen twice is a FatalError."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: set[Hashable] = set()

    def see(self, token: Hashable) -> None:
        if token in self._seen:
            raise FatalError(f"pagination loop on {self._what}: {token!r} served twice")
        self._seen.add(token)


def paginate(
    fetch: Callable[[TokenT], Page[ItemT, TokenT]], first: TokenT, *, what: str
) -> Iterator[ItemT]:
    """Items of every page from `first` on, until a page names no next one."""
    guard = LoopGuard(what)
    token: TokenT | None = first
    while token is not None:
        page = fetch(token)
        guard.see(page.served)
        if page.next is not None and not page.items:
            raise FatalError(f"pagination on {what}: empty page {page.served!r} claims more")
        yield from page.items
        token = page.next


def json_body(response: httpx.Response, call: str) -> Any:
    """The decoded JSON of a 2xx response; a body that is not JSON is a FatalError."""
    try:
        return response.json()
    except ValueError as err:
        raise FatalError(f"{scrub(call)}: HTTP {response.status_code} answer is not JSON") from err
