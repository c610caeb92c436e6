"""A benchmark world: synthetic HR files, a config, one LMS's simulator, a real Runtime.

`BenchWorld(folder, url, kind)` runs against any registered LMS kind: the simulator its
demo builds (on the world's fake clock, so Litmos's 100 requests a rolling minute are
waited out on it, never in real time) and the demo's target keys. `stage(name, data)`
writes the HR files and runs one cycle as `syncd run --once` does (`import_hr`, then
`run_target`, then the job poll the daemon makes), timed through two seams syncd offers
and never patched: the httpx transport it is handed and SQLAlchemy's engine events. The
simulator's state is read before and after (`benchmarks.minimum`), checked against HR's
desired state, and the independent minimum and the per-record peer counted on it.
"""

from __future__ import annotations

import resource
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

import httpx
from sqlalchemy import Engine, event, text

from benchmarks.families import OAUTH_PATH, by_family, writes_of
from benchmarks.hrdata import CYCLE_RULES_TOML, HrData
from benchmarks.minimum import minimum_for
from benchmarks.minimum.desired import desired
from benchmarks.minimum.state import LmsState, mismatches
from benchmarks.peer import run_peer
from benchmarks.timeline import Call, phase_windows
from syncd.clock import FakeClock
from syncd.kinds import LmsKind, load_config
from syncd.runtime import Runtime

CYCLE_EVERY_SECONDS = 900.0
JOB_POLL_AFTER_SECONDS = 30.0  # the default `jobs_poll_every`
# Besides the demo's keys: HR's unenrollments are wanted on Coursepath too, whose API
# deletes the learner's results with them (syncd asks for this consent per target).
TARGET_SETTINGS = {"coursepath": "allow_result_deletion = true\n"}


class TimedTransport(httpx.BaseTransport):
    """Hands each request to the simulator and notes when it started and finished, and the
    process CPU seconds spent inside it (wall time there grows with whatever else the
    machine runs; CPU time does not)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.calls: list[Call] = []
        self.cpu = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started, cpu = perf_counter(), process_time()
        response = self.inner.handle_request(request)
        response.read()
        self.cpu += process_time() - cpu
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
    """What one cycle did and cost, with the independent minimum and the peer beside it."""

    kind: str
    people: int  # in the HR export of this cycle (the CLI puts the run's size)
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
    cpu_seconds: float  # the process's, for the whole cycle
    sim_cpu_seconds: float  # of which inside the simulator (same process)
    rss_start_mb: float  # resident set when the cycle began (the simulator's state included)
    peak_rss_mb: float  # the high-water mark during the cycle (Linux; else since the start)
    violations: int
    waited_seconds: float  # fake-clock time the cycle spent (rate-limit waits, polls)
    state_check: list[str] = field(default_factory=list)  # empty: the LMS equals HR's wish
    peer: Counter[str] = field(default_factory=Counter)
    peer_check: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def syncd_cpu_seconds(self) -> float:
        """syncd's own CPU cost: the cycle's, less the simulator's."""
        return self.cpu_seconds - self.sim_cpu_seconds

    @property
    def writes(self) -> int:
        return writes_of(self.requests)

    @property
    def minimum_writes(self) -> int:
        return writes_of(self.minimum)


class BenchWorld:
    def __init__(self, folder: Path, database_url: str, kind: LmsKind) -> None:
        self.folder = folder
        self.kind = kind
        self.target_name = f"{kind.kind}-bench"
        self.clock = FakeClock()
        self.sim: Any = kind.demo.simulator(self.timestamp)
        self.rules = minimum_for(self.sim)
        self.transport = TimedTransport(self.sim.transport())
        config_path = folder / "syncd.toml"
        config_path.write_text(self._config_text(database_url), encoding="utf-8")
        self.runtime = Runtime(
            load_config(config_path),
            clock=self.clock,
            transports={self.target_name: self.transport},
        )
        self.runtime.upgrade()
        self.sql = SqlClock(self.runtime.db.engine)

    def timestamp(self) -> float:
        return self.clock.now().timestamp()

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

    def read(self) -> LmsState:
        return self.rules.read(self.sim)

    def stage(self, name: str, data: HrData, *, peer: bool = True) -> Stage:
        data.write(self.folder / "hr")
        self.clock.advance(CYCLE_EVERY_SECONDS)
        before, saved, start = self.read(), self.sim.dump_state(), self.clock.now()
        wanted = desired(data, CYCLE_RULES_TOML, before, self.rules.key, self.rules.nested)
        self.sim.clear_log()
        self.transport.calls.clear()
        self.sql.times.clear()
        stage = self._cycle(name, data)
        after = self.read()
        stage.state_check = mismatches(after, wanted)
        stage.minimum = self.rules.reads(before) + self.rules.writes(before, after)
        if peer:
            stage.peer, stage.peer_check = run_peer(self.kind, saved, start, wanted, self.rules)
        self.sim.clear_log()
        return stage

    def _cycle(self, name: str, data: HrData) -> Stage:
        target = self.runtime.targets([self.target_name])[0]
        clock_start = self.clock.monotonic()
        rss_start, sim_cpu = reset_peak_rss_mb(), self.transport.cpu
        start, cpu = perf_counter(), process_time()
        imported = self.runtime.import_hr(force=False)
        imported_at = perf_counter()
        report = self.runtime.run_target(target, dry_run=False, force=False)
        self.clock.advance(JOB_POLL_AFTER_SECONDS)
        self.runtime.poll_jobs(target)  # what the daemon does next (Dokeos's jobs)
        end, cpu_end = perf_counter(), process_time()
        windows = phase_windows(self.transport.calls, start, imported_at, end)
        requests = self.sim.requests
        stage = Stage(
            kind=self.kind.kind,
            people=len(data.people),
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
            minimum=Counter(),
            ops=dict(report.counts),
            failed_ops=sum(1 for op in report.operations if op.status == "failed"),
            errors=Counter(r.status for r in requests if r.status >= 300),
            cpu_seconds=cpu_end - cpu,
            sim_cpu_seconds=self.transport.cpu - sim_cpu,
            rss_start_mb=rss_start,
            peak_rss_mb=peak_rss_mb(),
            violations=len(self.sim.violations),
            waited_seconds=self.clock.monotonic() - clock_start - JOB_POLL_AFTER_SECONDS,
        )
        if report.message:
            stage.notes.append(f"{name}: {report.status}: {report.message}")
        if stage.errors:
            stage.notes.append(f"{name}: answers other than 2xx by status: {dict(stage.errors)}")
        return stage

    def _config_text(self, database_url: str) -> str:
        folder = self.folder
        keys = "".join(f'{k} = "{v}"\n' for k, v in self.kind.demo.target.items())
        return (
            f'[database]\nurl = "{database_url}"\n'
            f'[hr]\npath = "{folder / "hr"}"\nexport_path = "{folder / "export"}"\n'
            '[safety]\nmax_deactivate = "10%"\nmax_hr_shrink = "20%"\n'
            '[logging]\nlevel = "warning"\nformat = "json"\n'
            + CYCLE_RULES_TOML
            + f'[[targets]]\nname = "{self.target_name}"\nkind = "{self.kind.kind}"\n'
            + keys
            + TARGET_SETTINGS.get(self.rules.kind, "")
        )


def _within(times: list[float], begin: float, stop: float) -> int:
    return sum(1 for t in times if begin <= t < stop)


def peak_rss_mb() -> float:
    """The resident-set high-water mark in MiB: since the last `reset_peak_rss_mb` on Linux,
    else the process's since it started."""
    hwm = _status_mib("VmHWM")
    if hwm:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_peak_rss_mb() -> float:
    """Reset the resident-set high-water mark to the current size (Linux:
    `/proc/self/clear_refs`); the current size in MiB (0 where it cannot be read)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return 0.0
    return _status_mib("VmRSS")


def _status_mib(field: str) -> float:
    """A `/proc/self/status` size in MiB; 0 where there is none (not Linux)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0
