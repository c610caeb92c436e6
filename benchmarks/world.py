"""A benchmark world: synthetic HR files, a config, the Docebo simulator, a real Runtime.

`BenchWorld.stage(name, data)` writes the HR files and runs one cycle as
`syncd run --once` does (`import_hr`, then `run_target`), timed through two
seams syncd offers and never patched: the httpx transport it is handed (each
request's start and end) and SQLAlchemy's engine events (each statement's time).
"""

from __future__ import annotations

import resource
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import Engine, event, text

from benchmarks.calls import by_family, is_write, min_reads, min_writes
from benchmarks.hrdata import RULES_TOML, HrData
from benchmarks.timeline import Call, phase_windows
from syncd.clock import FakeClock
from syncd.kinds import load_config
from syncd.runtime import Runtime
from syncd.sandbox import DEMO_COURSES, DoceboSimulator

TARGET = "docebo-bench"
CLIENT_ID, SECRET, PASSWORD = "syncd-bench", "bench-client-secret-value", "bench-password"
CYCLE_EVERY_SECONDS = 900.0
OAUTH_PATH = "/oauth2/token"


class TimedTransport(httpx.BaseTransport):
    """Hands each request to the simulator and notes when it started and finished."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.calls: list[Call] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        name = f"{request.method} {request.url.path}"
        write = request.method != "GET" and request.url.path != OAUTH_PATH
        self.calls.append(Call(name, write, started, perf_counter()))
        return response

    def close(self) -> None:
        self.inner.close()


class SqlClock:
    """The time of every SQL statement the engine runs, through its event hook."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.times: list[float] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.times.append(perf_counter())

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@dataclass(slots=True)
class Stage:
    """What one cycle did and cost."""

    name: str
    status: str
    import_status: str
    wall: float
    phases: dict[str, float]
    sql: dict[str, int]
    sim_seconds: float
    requests: Counter[str]
    minimum: Counter[str]
    ops: dict[str, int]
    failed_ops: int
    errors: Counter[int]
    peak_rss_mb: float
    violations: int
    notes: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return sum(n for name, n in self.requests.items() if is_write(name))


class BenchWorld:
    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder = folder
        self.clock = FakeClock()
        self.sim = DoceboSimulator(
            client_id=CLIENT_ID,
            client_secret=SECRET,
            password=PASSWORD,
            clock=lambda: self.clock.now().timestamp(),
        )
        for code, name in DEMO_COURSES:
            self.sim.seed_course(code, name)
        self.transport = TimedTransport(self.sim.transport())
        config_path = folder / "syncd.toml"
        config_path.write_text(_config_text(folder, database_url), encoding="utf-8")
        self.runtime = Runtime(
            load_config(config_path), clock=self.clock, transports={TARGET: self.transport}
        )
        self.runtime.upgrade()
        self.sql = SqlClock(self.runtime.db.engine)

    def close(self) -> None:
        self.sql.close()
        self.runtime.close()
        self.transport.close()

    def is_empty(self) -> bool:
        """Whether the database holds no run and no link yet (a fresh one)."""
        with self.runtime.db.engine.connect() as conn:
            runs = conn.execute(text("SELECT count(*) FROM sync_runs")).scalar_one()
            links = conn.execute(text("SELECT count(*) FROM links")).scalar_one()
        return bool(runs == 0 and links == 0)

    def stage(self, name: str, data: HrData) -> Stage:
        data.write(self.folder / "hr")
        self.clock.advance(CYCLE_EVERY_SECONDS)
        floor = min_reads(self.sim)
        self.sim.clear_log()
        self.transport.calls.clear()
        self.sql.times.clear()
        target = self.runtime.targets([TARGET])[0]
        start = perf_counter()
        imported = self.runtime.import_hr(force=False)
        imported_at = perf_counter()
        report = self.runtime.run_target(target, dry_run=False, force=False)
        end = perf_counter()
        plan = [(op.kind, op.key) for op in report.operations]
        windows = phase_windows(self.transport.calls, start, imported_at, end)
        requests = self.sim.requests
        stage = Stage(
            name=name,
            status=report.status,
            import_status=imported.status,
            wall=end - start,
            phases={phase: stop - begin for phase, (begin, stop) in windows.items()},
            sql={
                phase: _within(self.sql.times, begin, stop)
                for phase, (begin, stop) in windows.items()
            },
            sim_seconds=sum(c.finished - c.started for c in self.transport.calls),
            requests=by_family(self.sim, requests),
            minimum=floor + min_writes(plan),
            ops=dict(report.counts),
            failed_ops=sum(1 for op in report.operations if op.status == "failed"),
            errors=Counter(r.status for r in requests if r.status >= 300),
            peak_rss_mb=peak_rss_mb(),
            violations=len(self.sim.violations),
        )
        if report.message:
            stage.notes.append(f"{name}: {report.status}: {report.message}")
        if stage.errors:
            stage.notes.append(f"{name}: answers other than 2xx by status: {dict(stage.errors)}")
        self.sim.clear_log()
        return stage


def _within(times: list[float], begin: float, stop: float) -> int:
    return sum(1 for t in times if begin <= t < stop)


def peak_rss_mb() -> float:
    """The process's resident-set high-water mark so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _config_text(folder: Path, database_url: str) -> str:
    return (
        f'[database]\nurl = "{database_url}"\n'
        f'[hr]\npath = "{folder / "hr"}"\nexport_path = "{folder / "export"}"\n'
        '[safety]\nmax_deactivate = "10%"\nmax_hr_shrink = "20%"\n'
        '[logging]\nlevel = "warning"\nformat = "json"\n'
        + RULES_TOML
        + f'[[targets]]\nname = "{TARGET}"\nkind = "docebo"\n'
        f'base_url = "https://acme.docebosaas.test"\nclient_id = "{CLIENT_ID}"\n'
        f'client_secret = "{SECRET}"\nusername = "api-admin"\npassword = "{PASSWORD}"\n'
        "page_size = 200\nbatch_size = 100\n"
    )
