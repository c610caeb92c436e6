"""The daemon's /metrics, /healthz and /readyz, scraped around the daemon's own cycle job.

A Dokeos world (it has asynchronous jobs) with one quarantined HR row and one 429 waits
the daemon's way (`scheduler.cycle_job`) on the fake clock; the metrics server runs on a
free loopback port. /metrics is scraped from inside the cycle (at its first write) and
after it, and each family is held to what the journal, the job table and the simulator's
request log say.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from syncd import scheduler as scheduler_module
from syncd.cli import main
from syncd.clock import FakeClock
from syncd.connectors.litmos.limiter import RollingLimiter
from syncd.metrics import Metrics, MetricsServer, http_answered, rate_limit_waited
from syncd.reconcile.stages import TargetReport
from syncd.runtime import Runtime
from syncd.scheduler import (
    HEARTBEAT_ENV,
    build_scheduler,
    cycle_job,
    health_window,
    metrics_served,
    run_daemon,
    serve_probes,
    touch_heartbeat,
)
from syncd.store import Database
from syncd.store.schema import AsyncJobRow, OperationRow
from tests.e2e.dokeos_world import DokeosWorld

pytestmark = pytest.mark.slow  # serves on a loopback port

TARGET = DokeosWorld.target_name
WINDOW = dt.timedelta(minutes=30)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class ScrapingTransport(httpx.BaseTransport):
    """The simulator's transport, scraping /metrics once, just before the first write."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.url = ""
        self.during: Samples | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.during is None and request.method != "GET" and "/token" not in request.url.path:
            self.during = scrape(self.url)
        return self.inner.handle_request(request)


def get(url: str) -> httpx.Response:
    """A GET straight to the loopback server, whatever proxy the environment names."""
    return httpx.get(url, trust_env=False)


def scrape(url: str) -> Samples:
    text = get(f"{url}/metrics").text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def family(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


@pytest.fixture
def world(tmp_path: Path) -> DokeosWorld:
    world = DokeosWorld(tmp_path, f"sqlite:///{tmp_path / 'syncd.db'}")
    world.hr.people.append({**world.hr.person("E1001"), "employee_id": "E9999", "email": "x"})
    world.hr.write()  # one row quarantined: its email is no address
    metrics = '[metrics]\nhost = "127.0.0.1"\nhealthy_within = "30m"\n'
    world.config_path.write_text(world.config_path.read_text() + metrics, encoding="utf-8")
    return world


@pytest.fixture
def served(world: DokeosWorld) -> Iterator[tuple[Runtime, MetricsServer, ScrapingTransport]]:
    wire = ScrapingTransport(world.sim.transport())
    world.wire = wire
    runtime = world.runtime()
    runtime.enable_metrics()
    server = serve_probes(runtime, 0, alive=lambda: True)
    wire.url = server.url("127.0.0.1")
    yield runtime, server, wire
    server.shutdown()
    runtime.close()


def journaled(world: DokeosWorld) -> tuple[dict[tuple[str, str], int], int]:
    """The journal's operations by (kind, status), and the job rows still pending."""
    db = Database(world.database_url)
    by_outcome = select(OperationRow.kind, OperationRow.status, func.count()).group_by(
        OperationRow.kind, OperationRow.status
    )
    pending = select(func.count()).select_from(AsyncJobRow).where(AsyncJobRow.status == "pending")
    with db.session() as session:
        outcomes = {(kind, status): n for kind, status, n in session.execute(by_outcome).all()}
        waiting = session.scalar(pending) or 0
    db.dispose()
    return outcomes, waiting


def test_every_metric_during_and_after_a_daemon_cycle(
    world: DokeosWorld, served: tuple[Runtime, MetricsServer, ScrapingTransport]
) -> None:
    runtime, server, wire = served
    url = server.url("127.0.0.1")
    world.sim.fail_next(1, 429, retry_after=7)
    world.sim.job_duration(600)  # the cycle's jobs are still running when it ends

    cycle_job(runtime, runtime.targets()[0])

    during, after = wire.during, scrape(url)
    assert during is not None
    assert value(during, "syncd_lane_held", target=TARGET) == 1
    assert value(during, "syncd_quarantined_rows") == 1
    assert family(during, "syncd_cycles_total") == {}  # the cycle has not ended yet
    assert value(during, "syncd_rate_limit_wait_seconds_total", target=TARGET) == 7
    assert value(during, "syncd_http_requests_total", target=TARGET, status="429") == 1

    assert value(after, "syncd_lane_held", target=TARGET) == 0
    assert family(after, "syncd_cycles_total") == {
        frozenset({("target", TARGET), ("status", "ok")}): 1
    }
    outcomes, pending = journaled(world)
    operations = {
        (dict(labels)["kind"], dict(labels)["outcome"]): v
        for labels, v in family(after, "syncd_operations_total").items()
        if dict(labels)["target"] == TARGET
    }
    assert operations == outcomes
    assert operations["create_user", "done"] == 34  # the example HR's active people
    assert operations["enroll", "waiting"] > 0  # Dokeos answered with a job
    assert pending > 0
    assert value(after, "syncd_pending_jobs", target=TARGET) == pending
    answered = Counter(str(r.status) for r in world.sim.requests)
    assert {
        dict(labels)["status"]: v
        for labels, v in family(after, "syncd_http_requests_total").items()
    } == answered
    assert value(after, "syncd_rate_limit_wait_seconds_total", target=TARGET) == 7
    assert value(after, "syncd_quarantined_rows") == 1
    assert value(after, "syncd_seconds_since_last_success", target=TARGET) == 0

    world.clock.advance(600)
    assert value(scrape(url), "syncd_seconds_since_last_success", target=TARGET) == 600


def test_healthz_fails_once_the_last_success_is_older_than_the_window(
    world: DokeosWorld, served: tuple[Runtime, MetricsServer, ScrapingTransport]
) -> None:
    runtime, server, _ = served
    url = server.url("127.0.0.1")
    assert health_window(runtime.config) == WINDOW
    cycle_job(runtime, runtime.targets()[0])
    world.clock.advance(WINDOW.total_seconds())
    assert get(f"{url}/healthz").status_code == 200
    world.clock.advance(1)
    answer = get(f"{url}/healthz")
    assert answer.status_code == 503
    assert f"{TARGET} (1801s)" in answer.text
    cycle_job(runtime, runtime.targets()[0])  # a new successful cycle: healthy again
    assert get(f"{url}/healthz").status_code == 200


def test_healthz_fails_when_no_cycle_succeeds_or_the_scheduler_is_gone(
    world: DokeosWorld, tmp_path: Path
) -> None:
    runtime = world.runtime()
    runtime.enable_metrics()
    alive = [True]
    server = serve_probes(runtime, 0, alive=lambda: alive[0])
    url = server.url("127.0.0.1")
    try:
        world.sim.fail_next(10, 401)  # every cycle fails: bad credentials
        cycle_job(runtime, runtime.targets()[0])
        assert get(f"{url}/healthz").status_code == 200  # within the window of the start
        world.clock.advance(WINDOW.total_seconds() + 1)
        assert "no successful cycle" in get(f"{url}/healthz").text
        samples = scrape(url)
        assert value(samples, "syncd_cycles_total", target=TARGET, status="failed") == 1
        assert value(samples, "syncd_http_requests_total", target=TARGET, status="401") == 1
        alive[0] = False
        answer = get(f"{url}/healthz")
        assert (answer.status_code, answer.text) == (503, "the scheduler is not running\n")
    finally:
        server.shutdown()
        runtime.close()


def test_readyz_wants_a_database_that_answers_at_the_newest_schema(
    served: tuple[Runtime, MetricsServer, ScrapingTransport], tmp_path: Path
) -> None:
    runtime, server, _ = served
    url = server.url("127.0.0.1")
    assert (get(f"{url}/readyz").status_code, get(f"{url}/readyz").text) == (
        200,
        "ok\n",
    )
    assert get(f"{url}/elsewhere").status_code == 404
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    assert empty.not_ready() == "the status database is not at the newest schema (syncd db upgrade)"
    empty.dispose()
    runtime.db.dispose()
    runtime.db = Database(f"sqlite:///{tmp_path / 'gone' / 'syncd.db'}")
    (tmp_path / "gone").rmdir()
    (tmp_path / "gone").write_text("", encoding="utf-8")  # the database cannot be opened now
    answer = get(f"{url}/readyz")
    assert answer.status_code == 503
    assert "does not answer" in answer.text


def test_a_refused_hr_import_counts_a_stopped_cycle(
    world: DokeosWorld, served: tuple[Runtime, MetricsServer, ScrapingTransport]
) -> None:
    runtime, server, _ = served
    cycle_job(runtime, runtime.targets()[0])
    world.hr.people = world.hr.people[:5]  # HR shrank far beyond safety.max_hr_shrink
    world.hr.write()
    cycle_job(runtime, runtime.targets()[0])
    samples = scrape(server.url("127.0.0.1"))
    assert value(samples, "syncd_cycles_total", target=TARGET, status="stopped") == 1


def test_with_nothing_bound_requests_and_waits_are_not_counted() -> None:
    metrics = Metrics(lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ["a"])
    http_answered(200)
    rate_limit_waited(3.0)
    with metrics.observing("a"):
        http_answered(None)
        rate_limit_waited(2.5)
    assert (
        metrics.registry.get_sample_value(
            "syncd_http_requests_total", {"target": "a", "status": "error"}
        )
        == 1
    )
    assert (
        metrics.registry.get_sample_value(
            "syncd_http_requests_total", {"target": "a", "status": "200"}
        )
        is None
    )
    assert (
        metrics.registry.get_sample_value("syncd_rate_limit_wait_seconds_total", {"target": "a"})
        == 2.5
    )


def test_healthcheck_asks_the_endpoint_the_heartbeat_names(
    world: DokeosWorld,
    served: tuple[Runtime, MetricsServer, ScrapingTransport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime, server, _ = served
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv(HEARTBEAT_ENV, str(beat))
    beat.write_text(server.url("127.0.0.1"), encoding="utf-8")
    cycle_job(runtime, runtime.targets()[0])
    assert main(["healthcheck", "--endpoint", "/healthz"]) == 0
    world.clock.advance(WINDOW.total_seconds() + 1)
    assert main(["healthcheck", "--endpoint", "/healthz"]) == 1
    assert main(["healthcheck", "--endpoint", "/readyz"]) == 0
    old = time.time() - 600
    os.utime(beat, (old, old))  # a stale heartbeat fails before the endpoint is asked
    assert main(["healthcheck", "--max-age", "60", "--endpoint", "/readyz"]) == 1


def test_the_daemon_serves_while_its_scheduler_runs_and_names_the_server_in_the_heartbeat(
    world: DokeosWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv(HEARTBEAT_ENV, str(beat))
    runtime = world.runtime()
    runtime.enable_metrics()
    scheduler = build_scheduler(runtime, runtime.targets())
    try:
        with metrics_served(runtime, scheduler, 0):
            (url,) = scheduler.get_job("heartbeat").args
            touch_heartbeat(url)  # what the heartbeat job does every 15 s
            assert beat.read_text(encoding="utf-8") == url
            assert url.startswith("http://127.0.0.1:")
            answer = get(f"{url}/healthz")  # the scheduler was never started
            assert (answer.status_code, answer.text) == (503, "the scheduler is not running\n")
            assert main(["healthcheck"]) == 1
            assert get(f"{url}/readyz").status_code == 200
        with pytest.raises(httpx.ConnectError):
            get(f"{url}/readyz")  # the block's end shut the server
    finally:
        runtime.close()


def test_metrics_port_must_be_a_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--metrics-port", "70000"])
    assert exit_info.value.code == 2
    assert "'70000' is not a port" in capsys.readouterr().err


DOCS = Path(__file__).parents[1] / "docs"


def test_the_docs_and_the_example_alerts_name_the_metrics_syncd_serves() -> None:
    metrics = Metrics(lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ["a"])
    served = {m.name for m in metrics.registry.collect()}
    documented = set(re.findall(r"^\| `(syncd_\w+)`", (DOCS / "metrics.md").read_text(), re.M))
    assert {f"{name}_total" if name not in documented else name for name in served} == documented
    rules = yaml.safe_load((DOCS / "prometheus-alerts.yml").read_text())["groups"][0]["rules"]
    named = {name for rule in rules for name in re.findall(r"syncd_\w+", rule["expr"])}
    assert named == {
        "syncd_seconds_since_last_success",
        "syncd_cycles_total",
        "syncd_quarantined_rows",
    }
    assert named <= documented


def test_litmos_limiter_waits_count_for_the_bound_target() -> None:
    clock = FakeClock()
    metrics = Metrics(clock.now, ["litmos-main"])
    limiter = RollingLimiter(clock, limit=2, window=60.0)
    with metrics.observing("litmos-main"):
        limiter.acquire()
        clock.advance(10)
        limiter.acquire()
        limiter.acquire()  # waits until the first is a window old: 50 s
        limiter.wait_out()  # the server said full: until the second is a window old, 10 s
    waited = metrics.registry.get_sample_value(
        "syncd_rate_limit_wait_seconds_total", {"target": "litmos-main"}
    )
    assert waited == 60


def test_run_daemon_serves_while_it_runs(
    world: DokeosWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon as `syncd run --metrics-port 0` starts it, on its own threads: waits are
    on events the daemon's threads set, never on the clock."""
    monkeypatch.setenv(HEARTBEAT_ENV, str(tmp_path / "heartbeat"))
    runtime = world.runtime()
    cycled = threading.Event()
    run_target = runtime.run_target

    def counted_run(*args: Any, **kwargs: Any) -> TargetReport:
        report = run_target(*args, **kwargs)
        cycled.set()
        return report

    monkeypatch.setattr(runtime, "run_target", counted_run)
    # The server the daemon starts, as it starts it (before its scheduler: so before any
    # cycle). Not from the logs: a logger another test cached escapes `capture_logs`.
    servers: list[MetricsServer] = []

    def recorded(*args: Any, **kwargs: Any) -> MetricsServer:
        server = serve_probes(*args, **kwargs)
        servers.append(server)
        return server

    monkeypatch.setattr(scheduler_module, "serve_probes", recorded)
    daemon = threading.Thread(target=run_daemon, args=(runtime,), kwargs={"metrics_port": 0})
    daemon.start()
    try:
        assert cycled.wait(120), "no cycle ran"
        url = servers[0].url("127.0.0.1")
        samples = scrape(url)
        assert value(samples, "syncd_cycles_total", target=TARGET, status="ok") == 1
        assert get(f"{url}/healthz").status_code == 200
        assert get(f"{url}/readyz").status_code == 200
    finally:
        runtime.shutdown.set()
        daemon.join(120)
    runtime.close()
    assert not daemon.is_alive()
    with pytest.raises(httpx.ConnectError):
        get(f"{url}/metrics")  # the daemon stopped its server on the way out


@pytest.mark.parametrize(("given", "served"), [((), 9464), (("--metrics-port", "0"), 0)])
def test_metrics_port_comes_from_the_command_line_over_the_config(
    world: DokeosWorld,
    monkeypatch: pytest.MonkeyPatch,
    given: tuple[str, ...],
    served: int,
) -> None:
    world.config_path.write_text(
        world.config_path.read_text().replace("[metrics]\n", "[metrics]\nport = 9464\n"),
        encoding="utf-8",
    )
    ports: list[int | None] = []  # the daemon is not started: no cycle, no request

    def daemon(_runtime: Runtime, _names: object, *, metrics_port: int | None) -> int:
        ports.append(metrics_port)
        return 0

    monkeypatch.setattr("syncd.cli.commands.run_daemon", daemon)
    code, _, _ = world.cli("run", *given)
    assert (code, ports) == (0, [served])
