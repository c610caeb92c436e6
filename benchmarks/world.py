"""A benchmark world: synthetic HR files, a config, one LMS's simulator, a real Runtime.

`BenchWorld(folder, url, kind)` runs against any registered LMS kind: the simulator its
demo builds (on the world's fake clock, so Litmos's 100 requests a rolling minute are
waited out on it, never in real time) and the demo's target keys. syncd runs in a process
of its own (`syncd_process.py`) whose requests this process's simulator answers, so the
CPU time and resident set measured there are syncd's alone. `stage(name, data)` writes
the HR files and runs one cycle as `syncd run --once` does (`import_hr`, then
`run_target`, then the job poll the daemon makes), timed through two seams syncd offers
and never patched: the httpx transport it is handed and SQLAlchemy's engine events. The
simulator's state is read before and after (`benchmarks.minimum`), checked against HR's
desired state, and the independent minimum and the per-record peer counted on it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from time import process_time
from typing import Any

import httpx

from benchmarks.families import by_family, writes_of
from benchmarks.hrdata import CYCLE_RULES_TOML, HrData
from benchmarks.minimum import minimum_for
from benchmarks.minimum.desired import desired
from benchmarks.minimum.state import LmsState, mismatches
from benchmarks.peer import run_peer
from benchmarks.syncd_process import JOB_POLL_AFTER_SECONDS, CycleResult
from benchmarks.timeline import phase_windows
from syncd.clock import FakeClock
from syncd.kinds import LmsKind

CYCLE_EVERY_SECONDS = 900.0
# Besides the demo's keys: HR's unenrollments are wanted on Coursepath too, whose API
# deletes the learner's results with them (syncd asks for this consent per target); on
# Litmos, existing accounts change by import rows, as the minimum counts them (a tenant
# turns this on once it has seen an update row keep the fields it leaves out).
TARGET_SETTINGS = {
    "coursepath": "allow_result_deletion = true\n",
    "litmos": "update_accounts_by_import = true\n",
}


class SyncdProcess:
    """syncd in a process of its own (`syncd_process.py`), so that the CPU time and
    resident set it reports are syncd's alone. Its requests come back over a socket and
    `sim_transport` answers them here, the world's clock set to syncd's first; `sim_cpu`
    adds up the CPU seconds spent answering (the simulator's, outside syncd)."""

    def __init__(
        self, config_path: Path, target_name: str, sim_transport: httpx.BaseTransport,
        clock: FakeClock,
    ) -> None:  # fmt: skip
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "benchmarks.syncd_process", str(theirs.fileno())]
        fds = (theirs.fileno(),)
        self.process = subprocess.Popen([*command, str(config_path), target_name], pass_fds=fds)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.sim_transport = sim_transport
        self.clock = clock
        self.sim_cpu = 0.0

    def ask(self, *command: Any) -> Any:
        """Send a command and answer syncd's requests until its own answer comes."""
        self.conn.send(command)
        while True:
            try:
                kind, *rest = self.conn.recv()
            except EOFError as err:
                raise RuntimeError("syncd's process ended (its traceback is above)") from err
            if kind != "request":
                return rest[0]
            self.conn.send(self._answer(*rest))

    def _answer(
        self, monotonic: float, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        cpu = process_time()
        self.clock.advance(monotonic - self.clock.monotonic())
        request = httpx.Request(method, url, headers=headers, content=body)
        response = self.sim_transport.handle_request(request)
        answer = (response.status_code, response.headers.multi_items(), response.read())
        self.sim_cpu += process_time() - cpu
        return answer

    def close(self) -> None:
        try:
            self.conn.send(("close",))
        finally:
            self.process.wait(timeout=60)
            self.conn.close()


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
    cpu_seconds: float  # syncd's process's and the simulator's, for the whole cycle
    sim_cpu_seconds: float  # of which answering requests: the simulator's and the transport's
    rss_start_mb: float  # syncd's process's resident set when the cycle began
    peak_rss_mb: float  # its high-water mark during the cycle (Linux; else since it started)
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
        self.config_path = folder / "syncd.toml"
        self.config_path.write_text(self._config_text(database_url), encoding="utf-8")
        self.transport = self.sim.transport()

    def timestamp(self) -> float:
        return self.clock.now().timestamp()

    def close(self) -> None:
        self.transport.close()

    @contextmanager
    def syncd(self) -> Iterator[SyncdProcess]:
        """A new syncd process on the world's config, as each `syncd run --once` is."""
        process = SyncdProcess(self.config_path, self.target_name, self.transport, self.clock)
        try:
            yield process
        finally:
            process.close()

    def is_empty(self) -> bool:
        """Whether the database holds no run and no link yet (a fresh one)."""
        with self.syncd() as syncd:
            return bool(syncd.ask("is_empty"))

    def read(self) -> LmsState:
        return self.rules.read(self.sim)

    def stage(
        self, name: str, data: HrData, *, peer: bool = True, profile_path: str | None = None
    ) -> Stage:
        """One cycle on `data`, checked and counted; under cProfile in syncd's process, its
        stats written to `profile_path`, when given one."""
        data.write(self.folder / "hr")
        self.clock.advance(CYCLE_EVERY_SECONDS)
        before, start = self.read(), self.clock.now()
        saved = self.sim.dump_state() if peer else None
        wanted = desired(data, CYCLE_RULES_TOML, before, self.rules.key, self.rules.nested)
        self.sim.clear_log()
        stage = self._cycle(name, data, profile_path)
        after = self.read()
        stage.state_check = mismatches(after, wanted)
        stage.minimum = self.rules.reads(before) + self.rules.writes(before, after)
        if saved is not None:
            stage.peer, stage.peer_check = run_peer(self.kind, saved, start, wanted, self.rules)
        self.sim.clear_log()
        return stage

    def _cycle(self, name: str, data: HrData, profile_path: str | None) -> Stage:
        clock_start = self.clock.monotonic()
        with self.syncd() as syncd:
            done: CycleResult = syncd.ask("cycle", clock_start, profile_path)
        self.clock.advance(done.monotonic - self.clock.monotonic())
        windows = phase_windows(done.calls, done.start, done.imported, done.end)
        requests = self.sim.requests
        stage = Stage(
            kind=self.kind.kind,
            people=len(data.people),
            name=name,
            status=done.status,
            import_status=done.import_status,
            wall=done.end - done.start,
            phases={phase: stop - begin for phase, (begin, stop) in windows.items()},
            sql={
                phase: _within(done.sql_times, begin, stop)
                for phase, (begin, stop) in windows.items()
            },
            sim_seconds=sum(c.finished - c.started for c in done.calls),
            requests=by_family(self.sim, requests),
            minimum=Counter(),
            ops=done.counts,
            failed_ops=done.failed_ops,
            errors=Counter(r.status for r in requests if r.status >= 300),
            cpu_seconds=done.cpu_seconds + syncd.sim_cpu,
            sim_cpu_seconds=done.transport_cpu_seconds + syncd.sim_cpu,
            rss_start_mb=done.rss_start_mb,
            peak_rss_mb=done.peak_rss_mb,
            violations=len(self.sim.violations),
            waited_seconds=self.clock.monotonic() - clock_start - JOB_POLL_AFTER_SECONDS,
        )
        if done.message:
            stage.notes.append(f"{name}: {done.status}: {done.message}")
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
