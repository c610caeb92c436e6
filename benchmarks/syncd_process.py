"""syncd in a process of its own, so that its CPU time and resident set are its own.

`python -m benchmarks.syncd_process FD CONFIG TARGET` runs a `Runtime` on the benchmark's
config and answers the benchmark world (`world.py`) over the socket `FD`: `cycle` runs one
cycle as `syncd run --once` does and returns a `CycleResult`. Its only transport is
`PipeTransport`: each request goes over the socket to the world, whose simulator answers
it in the world's process. The fake clock travels with each message (the simulator reads
the world's clock; syncd sleeps on its own), so nothing ever sleeps in real time.
"""

from __future__ import annotations

import cProfile
import importlib
import logging
import resource
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

import httpx
import structlog
from sqlalchemy import Engine, event, text

from benchmarks.families import OAUTH_PATH
from benchmarks.timeline import Call
from syncd.clock import FakeClock
from syncd.kinds import load_config
from syncd.runtime import Runtime

JOB_POLL_AFTER_SECONDS = 30.0  # the default `jobs_poll_every`


@dataclass(frozen=True, slots=True)
class CycleResult:
    """What one cycle did and cost in syncd's process, timed on its `perf_counter`."""

    status: str
    import_status: str
    message: str | None
    counts: dict[str, int]
    failed_ops: int
    calls: list[Call]  # every request, in order
    sql_times: list[float]  # when each SQL statement was sent
    start: float
    imported: float  # the end of `import_hr`
    end: float
    cpu_seconds: float  # the process's CPU over the cycle
    transport_cpu_seconds: float  # of which inside `PipeTransport` (sending, receiving)
    rss_start_mb: float
    peak_rss_mb: float
    monotonic: float  # the fake clock at the end


class PipeTransport(httpx.BaseTransport):
    """Sends each request to the world's simulator over `conn`, with the fake clock's
    reading, and notes when it started and finished and the CPU seconds spent inside."""

    def __init__(self, conn: Connection, clock: FakeClock) -> None:
        self.conn = conn
        self.clock = clock
        self.calls: list[Call] = []
        self.cpu = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started, cpu = perf_counter(), process_time()
        body = request.read()
        url, headers = str(request.url), request.headers.multi_items()
        self.conn.send(("request", self.clock.monotonic(), request.method, url, headers, body))
        status, answer_headers, content = self.conn.recv()
        response = httpx.Response(status, headers=answer_headers, content=content)
        self.cpu += process_time() - cpu
        write = request.method != "GET" and request.url.path != OAUTH_PATH
        name = f"{request.method} {request.url.path}"
        self.calls.append(Call(name, write, started, perf_counter()))
        return response


class SqlClock:
    """The time of every SQL statement the engine runs, through its event hook."""

    def __init__(self, engine: Engine) -> None:
        self.times: list[float] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.times.append(perf_counter())


class SyncdSide:
    """The `Runtime` of the benchmark's config, its clock, transport and SQL clock."""

    def __init__(self, conn: Connection, config_path: Path, target_name: str) -> None:
        self.clock = FakeClock()
        self.transport = PipeTransport(conn, self.clock)
        self.target_name = target_name
        config = load_config(config_path)
        self.runtime = Runtime(config, clock=self.clock, transports={target_name: self.transport})
        self.runtime.upgrade()
        self.sql = SqlClock(self.runtime.db.engine)

    def is_empty(self) -> bool:
        """Whether the database holds no run and no link yet (a fresh one)."""
        with self.runtime.db.engine.connect() as conn:
            runs = conn.execute(text("SELECT count(*) FROM sync_runs")).scalar_one()
            links = conn.execute(text("SELECT count(*) FROM links")).scalar_one()
        return bool(runs == 0 and links == 0)

    def cycle(self, monotonic: float, profile_path: str | None) -> CycleResult:
        """One cycle from the world's clock reading `monotonic`, under cProfile (its stats
        dumped to `profile_path`) when given one."""
        self.clock.advance(monotonic - self.clock.monotonic())
        self.transport.calls, self.sql.times = [], []
        profile = cProfile.Profile(process_time) if profile_path else None
        if profile:
            profile.enable()
        result = self._cycle()
        if profile and profile_path:
            profile.disable()
            profile.dump_stats(profile_path)
        return result

    def _cycle(self) -> CycleResult:
        target = self.runtime.targets([self.target_name])[0]
        rss_start, transport_cpu = reset_peak_rss_mb(), self.transport.cpu
        start, cpu = perf_counter(), process_time()
        imported = self.runtime.import_hr(force=False)
        imported_at = perf_counter()
        report = self.runtime.run_target(target, dry_run=False, force=False)
        self.clock.advance(JOB_POLL_AFTER_SECONDS)
        self.runtime.poll_jobs(target)  # what the daemon does next (Dokeos's jobs)
        end, cpu_end = perf_counter(), process_time()
        return CycleResult(
            status=report.status,
            import_status=imported.status,
            message=report.message,
            counts=dict(report.counts),
            failed_ops=sum(1 for op in report.operations if op.status == "failed"),
            calls=self.transport.calls,
            sql_times=self.sql.times,
            start=start,
            imported=imported_at,
            end=end,
            cpu_seconds=cpu_end - cpu,
            transport_cpu_seconds=self.transport.cpu - transport_cpu,
            rss_start_mb=rss_start,
            peak_rss_mb=peak_rss_mb(),
            monotonic=self.clock.monotonic(),
        )


def serve(conn: Connection, config_path: Path, target_name: str) -> None:
    """Answer the world's commands until `close`: `is_empty`, `cycle`. An error ends the
    process, its traceback on stderr (the world then stops on the closed socket)."""
    configure_quiet_logs()
    side = SyncdSide(conn, config_path, target_name)
    try:
        while True:
            command, *args = conn.recv()
            if command == "close":
                return
            answer = side.is_empty() if command == "is_empty" else side.cycle(*args)
            conn.send(("done", answer))
    finally:
        side.runtime.close()


def configure_quiet_logs() -> None:
    """syncd's warnings and errors on stderr, nothing on stdout."""
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


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


def main(argv: list[str]) -> None:
    fd, config, target = argv
    serve(Connection(int(fd)), Path(config), target)


if __name__ == "__main__":
    # Through the module's importable name, so that what it pickles (`CycleResult`) is
    # `benchmarks.syncd_process.CycleResult` to the world too, not `__main__`'s.
    importlib.import_module("benchmarks.syncd_process").main(sys.argv[1:])
