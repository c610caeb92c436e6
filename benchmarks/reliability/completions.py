"""Probe `completions`: the daemon rewrites completions.csv every second while a reader
parses every version of it.

`syncd run` (the daemon) with the four LMSs served on loopback ports and
`reconcile_every = "1s"`, so the four targets' cycles run side by side and each one
rewrites the file after its read back; a learner thread completes courses in the
simulators meanwhile, so the content keeps changing. A reader thread opens the file
every few milliseconds and checks each version it has not seen (a new inode, mtime or
size): not empty, no NUL byte, UTF-8, the contract's header, every row well formed
(field count, status, target, dates, score), a final newline; the file never vanishes
once written. Trials are versions read plus cycles run; failures are malformed versions
plus `cycle_crashed` (or `job_poll_crashed`) log lines. The daemon then gets SIGTERM.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.reliability.lms import KINDS, Lms, progress
from benchmarks.reliability.outcome import (
    DAMAGE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Tally,
    Violation,
)
from benchmarks.reliability.procs import Procs, crashes, log_events
from benchmarks.reliability.world import Fleet, copy_hr, migrate, write_config

NAME = "completions"
CONTRACT = (
    "employee_id",
    "target",
    "course_code",
    "status",
    "enrolled_at",
    "completed_at",
    "score",
)
NUL = b"\0"
STATUSES = frozenset({"enrolled", "in_progress", "completed", "failed"})
STOP_SECONDS = 30.0  # the daemon's time to stop after SIGTERM, outside the measure
FIRST_EXPORT_SECONDS = 60.0  # the longest a loaded machine may take to the first export
CRASHES = ("cycle_crashed", "job_poll_crashed")


class Watcher(threading.Thread):
    """Reads the file over and over; checks each version once (by inode, mtime, size)."""

    def __init__(self, path: Path, targets: Sequence[str]) -> None:
        super().__init__(name="completions-reader", daemon=True)
        self.path, self.targets = path, frozenset(targets)
        self.stop = threading.Event()
        self.versions = 0
        self.problems: list[str] = []
        self.broke: BaseException | None = None  # the reader itself failed: a probe error
        self._seen: tuple[int, int, int] | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._look()
                time.sleep(0.002)
        except BaseException as err:  # noqa: BLE001 - handed to the probe, which raises it
            self.broke = err

    def _look(self) -> None:
        try:
            with self.path.open("rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            if self._seen is not None:
                self._version(None, "completions.csv vanished after it was first written")
            return
        version = (info.st_ino, info.st_mtime_ns, info.st_size)
        if version != self._seen:
            self._version(version, malformed(data, self.targets))

    def _version(self, version: tuple[int, int, int] | None, problem: str | None) -> None:
        self._seen = version
        self.versions += 1
        if problem is not None:
            self.problems.append(f"version {self.versions}: {problem}")


def malformed(data: bytes, targets: frozenset[str]) -> str | None:
    """Why `data` is not a well-formed completions.csv, or None."""
    if not data:
        return "empty file"
    if NUL in data:
        return f"NUL byte at offset {data.index(NUL)} of {len(data)}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"not UTF-8 at byte {err.start}"
    if not text.endswith("\n"):
        return f"truncated: no final newline ({len(data)} bytes)"
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as err:
        return f"unparseable CSV: {err}"
    if tuple(rows[0][: len(CONTRACT)]) != CONTRACT:
        return f"wrong header {rows[0][:8]!r}"
    for line, row in enumerate(rows[1:], start=2):
        problem = _row_problem(row, len(rows[0]), targets)
        if problem:
            return f"line {line}: {problem}: {row!r}"[:300]
    return None


def _row_problem(row: list[str], width: int, targets: frozenset[str]) -> str | None:
    if len(row) != width:
        return f"{len(row)} fields, the header has {width}"
    values = dict(zip(CONTRACT, row, strict=False))
    checks = (
        (not values["employee_id"] or not values["course_code"], "a key is empty"),
        (values["target"] not in targets, "unknown target"),
        (values["status"] not in STATUSES, "unknown status"),
        (not _moment(values["enrolled_at"]) or not _moment(values["completed_at"]), "bad date"),
        (not _number(values["score"]), "bad score"),
    )
    return next((problem for bad, problem in checks if bad), None)


def _moment(text: str) -> bool:
    if not text:
        return True
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _number(text: str) -> bool:
    if not text:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


class Learner(threading.Thread):
    """Completes or advances a random enrolled course in a random LMS, five times a second."""

    def __init__(self, lms: Sequence[Lms], seed: int) -> None:
        super().__init__(name="learner", daemon=True)
        self.lms, self.rng = list(lms), random.Random(seed)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            progress(self.rng.choice(self.lms), self.rng)


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    started = time.monotonic()
    folder = ctx.workdir
    copy_hr(folder)
    url = migrate(f"sqlite:///{folder / 'syncd.db'}")
    with Fleet(KINDS) as fleet:
        schedule = {"reconcile_every": "1s", "jobs_poll_every": "1s"}
        config = write_config(folder, url, fleet.targets(), schedule=schedule)
        targets = [lms.target for lms in fleet.lms.values()]
        watcher = Watcher(folder / "export" / "completions.csv", targets)
        learner = Learner(list(fleet.lms.values()), ctx.seed)
        with Procs(folder, config) as procs:
            watcher.start()
            learner.start()
            daemon = procs.start("run")
            _run_for(watcher, max(3.0, ctx.left()))
            learner.stop.set()
            daemon.signal(signal.SIGTERM)
            if daemon.wait(STOP_SECONDS) is None:
                daemon.kill()
            watcher.stop.set()
            watcher.join()
            if watcher.broke is not None:
                raise RuntimeError("the completions reader broke") from watcher.broke
            _count(tally, watcher, daemon.stderr())
    ctx.say(f"{NAME}: {watcher.versions} versions read, {tally.failures} failed")
    return tally.result(time.monotonic() - started)


def _run_for(watcher: Watcher, seconds: float) -> None:
    """Let the daemon run `seconds`, and on a loaded machine until its first export is
    read (within FIRST_EXPORT_SECONDS): a probe that stops before that tests nothing."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds or (
        not watcher.versions and elapsed < FIRST_EXPORT_SECONDS
    ):
        time.sleep(0.1)


def _count(tally: Tally, watcher: Watcher, stderr: str) -> None:
    if not watcher.versions:
        tally.trial([Violation(WRONG, "completions.csv was never written")])
    for problem in watcher.problems:
        tally.trial([Violation(DAMAGE, f"completions.csv {problem}")])
    for _ in range(watcher.versions - len(watcher.problems)):
        tally.trial([])
    cycles = [e for e in log_events(stderr) if e.get("event") == "scheduled_cycle"]
    for _ in cycles:
        tally.trial([])
    tally.note("versions read", watcher.versions)
    tally.note("cycles", len(cycles))
    for crash in crashes(stderr, CRASHES):
        trace = str(crash.get("exception", "")).strip().splitlines()
        tally.trial(
            [
                Violation(
                    WRONG,
                    f"{crash['event']} ({crash.get('target')}): {trace[-1] if trace else '?'}",
                )
            ]
        )
