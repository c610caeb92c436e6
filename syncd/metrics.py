"""The daemon's Prometheus metrics, and its /metrics, /healthz and /readyz endpoints.

`Metrics` keeps one `CollectorRegistry` per daemon (never the library's global one). The
runtime tells it of cycles, lanes, pending jobs and quarantined rows, and binds it to the
target whose cycle or job poll runs (`observing`); the HTTP client and the rate limiters,
which know no target, report answers and waits through `http_answered` and
`rate_limit_waited`, which cost one context lookup when nothing is bound (metrics off,
`run --once`). `serve` puts the registry and two probes on a threaded WSGI server.
Each metric is described in docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from syncd.statuses import RunStatus

Probe = Callable[[], str | None]  # None when all is well, else what is wrong, in a line
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_BOUND: ContextVar[tuple[Metrics, str] | None] = ContextVar("syncd_metrics", default=None)


class Metrics:
    """The daemon's metric families, and when each target last had a successful cycle."""

    def __init__(
        self,
        now: Callable[[], dt.datetime],
        targets: Sequence[str],
        last_success: Mapping[str, dt.datetime] | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._now = now
        self._started = now()
        self._last_success = dict(last_success or {})
        self._targets = tuple(targets)
        self._lock = threading.Lock()
        self._families()
        self.registry.register(_SinceSuccess(self))
        for target in self._targets:  # scraped as 0 before the first cycle, not absent
            self.pending.labels(target).set(0)
            self.lane_held.labels(target).set(0)

    def _families(self) -> None:
        registry = self.registry
        self.cycles = Counter(
            "syncd_cycles", "Cycles by how they ended", ["target", "status"], registry=registry
        )
        self.operations = Counter(
            "syncd_operations",
            "Operations of the cycles' plans by kind and outcome",
            ["target", "kind", "outcome"],
            registry=registry,
        )
        self.http = Counter(
            "syncd_http_requests",
            "Requests sent to the LMSs by status answered (error: no answer)",
            ["target", "status"],
            registry=registry,
        )
        self.waits = Counter(
            "syncd_rate_limit_wait_seconds",
            "Seconds waited for an LMS's rate limit",
            ["target"],
            registry=registry,
        )
        self.pending = Gauge(
            "syncd_pending_jobs", "LMS jobs syncd waits on", ["target"], registry=registry
        )
        self.quarantine = Gauge(
            "syncd_quarantined_rows", "HR rows the last import quarantined", registry=registry
        )
        self.lane_held = Gauge(
            "syncd_lane_held",
            "1 while this daemon holds the target's lane",
            ["target"],
            registry=registry,
        )

    @contextmanager
    def observing(self, target: str) -> Iterator[None]:
        """For the block, `http_answered` and `rate_limit_waited` count for `target`."""
        token = _BOUND.set((self, target))
        try:
            yield
        finally:
            _BOUND.reset(token)

    @contextmanager
    def lane(self, target: str) -> Iterator[None]:
        self.lane_held.labels(target).set(1)
        try:
            yield
        finally:
            self.lane_held.labels(target).set(0)

    def cycle_ended(self, target: str, status: str, outcomes: Iterable[tuple[str, str]]) -> None:
        """A cycle's status and its operations' (kind, outcome); an `ok` one is a success."""
        self.cycles.labels(target, status).inc()
        for kind, outcome in outcomes:
            self.operations.labels(target, kind, outcome).inc()
        if status == RunStatus.OK:
            with self._lock:
                self._last_success[target] = self._now()

    def pending_jobs(self, target: str, count: int) -> None:
        self.pending.labels(target).set(count)

    def quarantined(self, count: int) -> None:
        self.quarantine.set(count)

    def since_success(self) -> dict[str, float]:
        """Seconds since each target's last successful cycle (since the daemon started, for
        a target that has had none)."""
        now = self._now()
        with self._lock:
            last = {t: self._last_success.get(t, self._started) for t in self._targets}
        return {t: (now - when).total_seconds() for t, when in last.items()}

    def health(self, within: dt.timedelta, alive: Callable[[], bool]) -> str | None:
        """None when the scheduler is alive and every target had a successful cycle within
        `within`; else what is wrong, naming the stale targets."""
        if not alive():
            return "the scheduler is not running"
        limit = within.total_seconds()
        stale = [f"{t} ({age:.0f}s)" for t, age in self.since_success().items() if age > limit]
        if stale:
            return f"no successful cycle within {limit:.0f}s: {', '.join(stale)}"
        return None


class _SinceSuccess(Collector):
    """`syncd_seconds_since_last_success`, read from the clock at each scrape."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "syncd_seconds_since_last_success",
            "Seconds since the target's last successful cycle (or since the daemon started)",
            labels=["target"],
        )
        for target, seconds in self._metrics.since_success().items():
            family.add_metric([target], seconds)
        yield family


def http_answered(status: int | None) -> None:
    """An LMS answered a request with `status` (None: no answer, e.g. a timeout)."""
    bound = _BOUND.get()
    if bound is not None:
        metrics, target = bound
        metrics.http.labels(target, "error" if status is None else str(status)).inc()


def rate_limit_waited(seconds: float) -> None:
    """syncd is about to wait `seconds` for an LMS's rate limit."""
    bound = _BOUND.get()
    if bound is not None and seconds > 0:
        metrics, target = bound
        metrics.waits.labels(target).inc(seconds)


class MetricsServer:
    """The endpoints on their own threads, until `shutdown`."""

    def __init__(self, server: WSGIServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="syncd-metrics", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, host: str) -> str:
        """The server's address as seen from this host (a wildcard bind: loopback)."""
        shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104
        return f"http://{shown}:{self.port}"

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def serve(metrics: Metrics, host: str, port: int, *, healthy: Probe, ready: Probe) -> MetricsServer:
    """/metrics, /healthz and /readyz on `host`:`port` (0: any free port)."""
    app = _router(make_wsgi_app(metrics.registry), {"/healthz": healthy, "/readyz": ready})
    server = make_server(host, port, app, _ThreadingServer, _QuietHandler)
    return MetricsServer(server)


def _router(metrics_app: WsgiApp, probes: Mapping[str, Probe]) -> WsgiApp:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics_app(environ, start_response)
        if path not in probes:
            return _text(start_response, "404 Not Found", "not found: /metrics, /healthz, /readyz")
        problem = _asked(probes[path])
        if problem is None:
            return _text(start_response, "200 OK", "ok")
        return _text(start_response, "503 Service Unavailable", problem)

    return app


def _asked(probe: Probe) -> str | None:
    """The probe's answer; one that raises is an answer too (the server thread goes on)."""
    try:
        return probe()
    except Exception as err:  # noqa: BLE001 - a probe's failure is what it reports
        return f"the check failed: {type(err).__name__}"


def _text(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = (body + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape in flight does not hold the daemon's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged: they come every few seconds and say nothing new."""
