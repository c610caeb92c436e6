"""The WSGI core every LMS simulator is built on.

`SimulatorApp` routes requests to handlers, applies the fault knobs, guards
the serial set, screens and authorizes through per-LMS hooks and logs every request.
One re-entrant lock guards the state and handlers run under it; the latency
sleep runs outside it so that overlapping serial calls are really seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from wsgiref.types import StartResponse, WSGIEnvironment

import httpx

from syncd.sandbox.faults import (
    Clock,
    Fault,
    FaultKnobs,
    ManualClock,
    SerialGuard,
    SerialViolation,
)
from syncd.sandbox.messages import (
    Headers,
    HttpError,
    Query,
    Request,
    Response,
    json_response,
    read_request,
    reason,
    write_response,
)
from syncd.sandbox.routing import Handler, Match, Route, Router

__all__ = [
    "Clock",
    "Handler",
    "HttpError",
    "LoggedRequest",
    "ManualClock",
    "Request",
    "Response",
    "Route",
    "SerialGuard",
    "SerialViolation",
    "SimulatorApp",
    "json_response",
]

_READS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One served request, as the test log keeps it (times on the app clock)."""

    method: str
    path: str
    query: Query
    body: object
    status: int
    started_at: float
    finished_at: float


class SimulatorApp:
    """Base WSGI app of a simulator; subclasses add routes and the two hooks
    `error_body` (the LMS's error shape) and `authorize` (its credentials)."""

    default_headers: Headers = ()
    serial_conflict_message = "Concurrent call refused"

    def __init__(self, *, clock: Clock = time.time) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.router = Router()
        self.knobs = FaultKnobs(clock)
        self.guard = SerialGuard(clock)
        self._log: list[LoggedRequest] = []
        self._auth_paths: set[str] = set()

    # -- hooks ------------------------------------------------------------

    def error_body(self, status: int, message: str) -> object:
        """The JSON body of an error answer; simulators override it."""
        return {"error": reason(status), "message": message, "status": status}

    def screen(self, request: Request) -> None:
        """Raise `HttpError` to refuse `request` before it is routed (a header
        every call must carry); called under the lock, after the fault knobs."""

    def authorize(self, request: Request, route: Route) -> None:
        """Raise `HttpError` to refuse `request`; called under the lock."""

    # -- set-up -----------------------------------------------------------

    def route(
        self,
        method: str,
        pattern: str,
        handler: Handler,
        *,
        serial: bool = False,
        auth: bool = False,
    ) -> None:
        self.router.add(Route(method.upper(), pattern, handler, serial=serial, auth=auth))
        if auth:
            self._auth_paths.add(pattern)

    def transport(self) -> httpx.WSGITransport:
        """An httpx transport that calls this app in-process."""
        return httpx.WSGITransport(app=self)

    # -- knobs ------------------------------------------------------------

    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: int | None = None,
        path_prefix: str | None = None,
        body: object = None,
    ) -> None:
        """Answer the next `n` requests (under `path_prefix`) with `status`."""
        with self.lock:
            self.knobs.fail_next(n, status, retry_after, path_prefix, body)

    def rate_limit(self, max_requests: int, per_seconds: float, retry_after: bool = True) -> None:
        """Allow `max_requests` per rolling `per_seconds`; then 429."""
        with self.lock:
            self.knobs.rate_limit(max_requests, per_seconds, retry_after)

    def no_rate_limit(self) -> None:
        with self.lock:
            self.knobs.no_rate_limit()

    def redirect_next(self, n: int, path_prefix: str | None = None) -> None:
        """Answer the next `n` requests with 307 to their own URL."""
        with self.lock:
            self.knobs.redirect_next(n, path_prefix)

    def latency(self, seconds: float, serial_only: bool = True) -> None:
        """Really sleep `seconds` in each (serial) call before its handler."""
        with self.lock:
            self.knobs.latency(seconds, serial_only)

    def clear_faults(self) -> None:
        with self.lock:
            self.knobs.clear()

    # -- log --------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        with self.lock:
            return list(self._log)

    @property
    def writes(self) -> list[LoggedRequest]:
        """Requests other than reads and calls to the auth (token) endpoints."""
        return [r for r in self.requests if r.method not in _READS and not self._is_auth(r)]

    @property
    def violations(self) -> list[SerialViolation]:
        return self.guard.violations

    def clear_log(self) -> None:
        with self.lock:
            self._log.clear()
        self.guard.clear()

    # -- WSGI -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = read_request(environ)
        started = self.clock()
        response = self._respond(request)
        self._record(request, response.status, started)
        return write_response(start_response, response, self.default_headers)

    def _respond(self, request: Request) -> Response:
        try:
            outcome = self._admit(request)
            if isinstance(outcome, Response):
                return outcome
            return self._serve(outcome.route, request.with_params(outcome.params))
        except HttpError as err:
            body = err.body if err.body is not None else self.error_body(err.status, err.message)
            return Response(err.status, body, err.headers)

    def _admit(self, request: Request) -> Response | Match:
        with self.lock:
            fault = self.knobs.check(request.path)
            if fault is not None:
                return self._fault_response(fault, request)
            self.screen(request)
            match = self.router.match(request.method, request.path)
            self.authorize(request, match.route)
            return match

    def _serve(self, route: Route, request: Request) -> Response:
        if route.serial and not self.guard.enter(request.method, request.path):
            raise HttpError(409, self.serial_conflict_message)
        try:
            self._pause(route.serial)
            with self.lock:
                return self._invoke(route, request)
        finally:
            if route.serial:
                self.guard.leave()

    def _pause(self, serial: bool) -> None:
        with self.lock:
            seconds = self.knobs.delay_for(serial)
        if seconds > 0:
            time.sleep(seconds)

    def _invoke(self, route: Route, request: Request) -> Response:
        if request.malformed:
            raise HttpError(400, "The request body is not valid JSON")
        return route.handler(request)

    def _fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.status == 307:
            return Response(307, headers=(("Location", request.url),))
        headers: Headers = ()
        if fault.retry_after is not None:
            headers = (("Retry-After", str(fault.retry_after)),)
        body = (
            fault.body
            if fault.body is not None
            else self.error_body(fault.status, reason(fault.status))
        )
        return Response(fault.status, body, headers)

    def _record(self, request: Request, status: int, started: float) -> None:
        entry = LoggedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            body=request.body,
            status=status,
            started_at=started,
            finished_at=self.clock(),
        )
        with self.lock:
            self._log.append(entry)

    def _is_auth(self, entry: LoggedRequest) -> bool:
        return entry.path in self._auth_paths
