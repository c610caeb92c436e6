"""Probe `signals`: SIGTERM and SIGINT to `syncd run` and `syncd run --once`, in each state.

One Docebo served on a loopback port per trial, a fresh SQLite database. States: idle
(the daemon between cycles; `--once` waiting for the target's lane, which the probe
holds), during a fetch (every call slowed), during apply (batch and branch calls
slowed), during a 45 s Retry-After wait (the user batch answered 503, Retry-After: 45).
Invariants: the process exits within 10 s of the signal; its exit code is 0 for the
daemon (the contract) and 0 or 1 for `--once` (a report, not a death by signal: an
interrupted target makes it 1); no traceback on stderr; no run left `running`.
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from benchmarks.reliability import dbcheck
from benchmarks.reliability.lms import Lms
from benchmarks.reliability.outcome import (
    INCOMPLETE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Violation,
    average,
)
from benchmarks.reliability.procs import Proc, Procs, traceback_in, wait_until
from benchmarks.reliability.world import Fleet, copy_hr, migrate, write_config
from syncd.store.db import make_engine
from syncd.store.locks import held

NAME = "signals"
EXIT_SECONDS = 10.0
RETRY_AFTER = 45
STATES = ("idle", "fetch", "apply", "retry_wait")
MODES = ("run", "run --once")
SIGNALS = (signal.SIGTERM, signal.SIGINT)
QUICK = (("run", signal.SIGTERM, "retry_wait"), ("run --once", signal.SIGINT, "apply"))


@dataclass(frozen=True, slots=True)
class Case:
    mode: str
    signum: signal.Signals
    state: str

    @property
    def label(self) -> str:
        return f"{self.signum.name} to `syncd {self.mode}` {STATE_WORDS[self.state]}"

    @property
    def daemon(self) -> bool:
        return self.mode == "run"


STATE_WORDS = {
    "idle": "when idle",
    "fetch": "during a fetch",
    "apply": "during apply",
    "retry_wait": f"during a {RETRY_AFTER} s Retry-After wait",
}


def cases(quick: bool) -> Iterator[Case]:
    if quick:
        yield from (Case(m, s, st) for m, s, st in QUICK)
        return
    for mode, signum, state in itertools.product(MODES, SIGNALS, STATES):
        yield Case(mode, signum, state)


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    spent = 0.0
    rounds = itertools.count()
    while ctx.more(tally.trials, average(spent, tally.trials, 8.0), 1):
        round_ = next(rounds)
        for case in cases(ctx.quick):
            out_of_time = not ctx.more(tally.trials, average(spent, tally.trials, 8.0))
            if tally.trials and out_of_time and not ctx.quick:
                break
            started = time.monotonic()
            folder = ctx.workdir / f"{round_}-{tally.trials}-{case.state}"
            tally.trial(trial(folder, case))
            tally.note(f"signals {STATE_WORDS[case.state]}")
            spent += time.monotonic() - started
            ctx.say(f"{NAME}: {case.label}: {tally.failures} of {tally.trials} failed")
        if ctx.quick:
            break
    return tally.result(spent)


def trial(folder: Path, case: Case) -> list[Violation]:
    folder.mkdir(parents=True)
    copy_hr(folder)
    url = migrate(f"sqlite:///{folder / 'syncd.db'}")
    with Fleet(["docebo"]) as fleet:
        lms = fleet.lms["docebo"]
        config = write_config(folder, url, fleet.targets(max_attempts=3))
        with Procs(folder, config) as procs, _holding_lane(url, lms, case):
            _arrange(lms, case.state)
            proc = procs.start(*case.mode.split())
            reached = SETTLE[case.state](proc, lms, url)
            if not reached:
                return [Violation(INCOMPLETE, f"{case.label}: the state was never reached")]
            return _stop(proc, case, url)


def _holding_lane(url: str, lms: Lms, case: Case) -> AbstractContextManager[object]:
    """For `--once` when idle: the probe holds the target's lane, so syncd waits for it."""
    if case.daemon or case.state != "idle":
        return nullcontext()
    return _held_lane(url, f"lane:{lms.target}")


@contextmanager
def _held_lane(url: str, name: str) -> Iterator[None]:
    engine = make_engine(url)
    try:
        with held(engine, name, wait_seconds=5) as acquired:
            if not acquired:
                raise RuntimeError(f"the probe could not take {name}")
            yield
    finally:
        engine.dispose()


def _arrange(lms: Lms, state: str) -> None:
    if state == "fetch":
        lms.sim.latency(0.3, serial_only=False)
    elif state == "apply":
        lms.sim.latency(0.3, serial_only=True)
    elif state == "retry_wait":
        lms.sim.fail_next(1, 503, retry_after=RETRY_AFTER, path_prefix="/manage/v1/user/batch")


def _idle(proc: Proc, lms: Lms, url: str) -> bool:
    """The daemon finished its first cycle, or `--once` has imported HR and waits."""
    done = "SELECT count(*) FROM sync_runs WHERE status <> 'running'"
    imported = "SELECT count(*) FROM hr_imports"
    query = imported if "--once" in proc.label else done
    reader = dbcheck.Reader(url)
    try:
        reached = wait_until(lambda: bool(reader.rows(query)[0][0]) or not proc.alive(), 60, 0.05)
    finally:
        reader.close()
    time.sleep(0.5)
    return reached and proc.alive()


def _fetching(proc: Proc, lms: Lms, _url: str) -> bool:
    def reading() -> bool:
        return sum(1 for r in lms.sim.requests if r.method == "GET") >= 2 or not proc.alive()

    return wait_until(reading, 60) and proc.alive() and not lms.sim.writes


def _applying(proc: Proc, lms: Lms, _url: str) -> bool:
    return wait_until(lambda: len(lms.sim.writes) >= 3 or not proc.alive(), 60) and proc.alive()


def _waiting_to_retry(proc: Proc, lms: Lms, _url: str) -> bool:
    def told() -> bool:
        return any(r.status == 503 for r in lms.sim.requests) or not proc.alive()

    reached = wait_until(told, 60)
    time.sleep(0.5)
    return reached and proc.alive()


SETTLE: dict[str, Callable[[Proc, Lms, str], bool]] = {
    "idle": _idle,
    "fetch": _fetching,
    "apply": _applying,
    "retry_wait": _waiting_to_retry,
}


def _stop(proc: Proc, case: Case, url: str) -> list[Violation]:
    proc.signal(case.signum)
    code = proc.wait(EXIT_SECONDS)
    found = []
    if code is None:
        proc.kill()
        found.append(
            Violation(WRONG, f"{case.label}: still running {EXIT_SECONDS:.0f} s after the signal")
        )
    elif not _code_ok(case, code):
        wanted = "0" if case.daemon else "0 or 1"
        found.append(Violation(WRONG, f"{case.label}: exit code {code} (wanted {wanted})"))
    trace = traceback_in(proc.stderr())
    if trace:
        found.append(Violation(WRONG, f"{case.label}: traceback on stderr: {trace}"))
    found += [
        Violation(WRONG, f"{case.label}: run {run} left `running`")
        for run, _target in dbcheck.stuck_runs(url)[:1]
    ]
    return found


def _code_ok(case: Case, code: int) -> bool:
    return code == 0 if case.daemon else code in (0, 1)
