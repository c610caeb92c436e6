"""Probe `faults`: random 5xx, 429, 503 with Retry-After, timeouts and connection resets on
all four LMSs over several cycles, then fault-free cycles.

In-process, on a FakeClock (every Retry-After and backoff is slept on it: no real wait).
A `FaultyTransport` between syncd and each simulator decides per request: a status the
simulator answers instead (its own error shape, before any change), a failure before
the request leaves (connect timeout, refused), or one after the simulator has done the
work (read timeout, reset: the answer is lost). HR changes a little every cycle.
Invariants: no cycle crashes; after the clean cycles a dry run plans nothing on any
target; no simulator holds one object twice; every failed or skipped operation carries
its error and none is left planned or sent in a finished run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import httpx

from benchmarks.reliability import dbcheck
from benchmarks.reliability.lms import KINDS, Lms, duplicates
from benchmarks.reliability.outcome import (
    DAMAGE,
    INCOMPLETE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Tally,
    Violation,
    average,
)
from benchmarks.reliability.world import LOOSE_SAFETY, InProcess, read_rows, silenced, write_rows

NAME = "faults"
CLEAN_CYCLES = 3
CYCLE_SECONDS = 120.0  # the fake clock between cycles (Dokeos jobs settle, tokens age)


class FaultyTransport(httpx.BaseTransport):
    """Injects one random fault into a share (`rate`) of the requests to one simulator."""

    def __init__(self, lms: Lms, inner: httpx.BaseTransport, rng: random.Random) -> None:
        self.lms, self.inner, self.rng = lms, inner, rng
        self.rate = 0.0
        self.injected = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.rng.random() >= self.rate:
            return self.inner.handle_request(request)
        self.injected += 1
        return self.rng.choice(_FAULTS)(self, request)

    def answer(
        self, request: httpx.Request, status: int, retry_after: int | None
    ) -> httpx.Response:
        self.lms.sim.fail_next(1, status, retry_after=retry_after)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _server_error(t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    return t.answer(request, t.rng.choice((500, 502, 504)), None)


def _too_many(t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    return t.answer(request, 429, t.rng.choice((None, 1, 30)))


def _unavailable(t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    return t.answer(request, 503, t.rng.randint(1, 120))


def _connect_timeout(_t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("timed out connecting (injected)", request=request)


def _refused(_t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused (injected)", request=request)


def _read_timeout(t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    t.inner.handle_request(request).read()  # the LMS did the work; the answer is lost
    raise httpx.ReadTimeout("timed out reading the answer (injected)", request=request)


def _reset(t: FaultyTransport, request: httpx.Request) -> httpx.Response:
    t.inner.handle_request(request).read()
    raise httpx.RemoteProtocolError("Server disconnected (injected reset)", request=request)


_FAULTS: tuple[Callable[[FaultyTransport, httpx.Request], httpx.Response], ...] = (
    _server_error,
    _too_many,
    _unavailable,
    _connect_timeout,
    _refused,
    _read_timeout,
    _reset,
)


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    cycles, rate = (2, 0.15) if ctx.quick else (5, 0.12)
    spent = 0.0
    with silenced():
        while ctx.more(tally.trials, average(spent, tally.trials, 15.0)):
            started = time.monotonic()
            seed = ctx.seed * 1000 + tally.trials
            tally.trial(trial(ctx, tally, seed, cycles, rate))
            spent += time.monotonic() - started
            ctx.say(f"{NAME}: trial {tally.trials} (seed {seed}), {tally.failures} failed")
    return tally.result(spent)


def trial(ctx: ProbeContext, tally: Tally, seed: int, cycles: int, rate: float) -> list[Violation]:
    rng = random.Random(seed)
    folder = ctx.workdir / f"{NAME}-{seed}"
    folder.mkdir(parents=True)
    wires: dict[str, FaultyTransport] = {}

    def wrap(lms: Lms, inner: httpx.BaseTransport) -> httpx.BaseTransport:
        wires[lms.kind] = FaultyTransport(lms, inner, random.Random(rng.random()))
        return wires[lms.kind]

    world = InProcess(
        folder, KINDS, safety=LOOSE_SAFETY, wrap=wrap, target_extra={"max_attempts": 4}
    )
    try:
        found = _faulty_cycles(world, wires, rng, cycles, rate)
        for wire in wires.values():
            wire.rate = 0.0
        found += _clean_cycles(world)
        found += _checks(world, seed)
    finally:
        world.close()
    tally.note("faults injected", sum(wire.injected for wire in wires.values()))
    return found


def _faulty_cycles(
    world: InProcess,
    wires: dict[str, FaultyTransport],
    rng: random.Random,
    cycles: int,
    rate: float,
) -> list[Violation]:
    found: list[Violation] = []
    for index in range(cycles):
        for wire in wires.values():
            wire.rate = rate
        if index:
            churn_hr(world, rng)
        found += _cycle(world, f"faulty cycle {index + 1}")
    return found


def _clean_cycles(world: InProcess) -> list[Violation]:
    found: list[Violation] = []
    for index in range(CLEAN_CYCLES):
        found += _cycle(world, f"clean cycle {index + 1}")
    return found + _converged(world)


def _converged(world: InProcess) -> list[Violation]:
    """A dry run after the clean cycles: every target fine and planning nothing."""
    try:
        report = world.runtime.run_once(dry_run=True, force=False)
    except Exception as err:  # noqa: BLE001 - an escaping exception is the finding
        return [Violation(WRONG, f"the final dry run crashed: {_said(err)}")]
    return [
        Violation(
            WRONG,
            f"not converged after {CLEAN_CYCLES} clean cycles: {t.name} ({t.status}) "
            f"plans {dict(t.counts) or 'nothing'}{f': {t.message}' if t.message else ''}"[:300],
        )
        for t in report.targets
        if t.counts or t.status != "planned"
    ][:1]


def _cycle(world: InProcess, label: str) -> list[Violation]:
    world.clock.advance(CYCLE_SECONDS)
    try:
        world.runtime.run_once(dry_run=False, force=False)
    except Exception as err:  # noqa: BLE001 - an escaping exception is the finding
        return [Violation(WRONG, f"{label} crashed: {_said(err)}")]
    return []


def _said(err: Exception) -> str:
    return f"{type(err).__name__}: {' '.join(str(err).split())[:160]}"


def _checks(world: InProcess, seed: int) -> list[Violation]:
    found = [
        Violation(DAMAGE, f"{lms.kind} holds a duplicate: {dup} (seed {seed})")
        for lms in world.lms.values()
        for dup in duplicates(lms.kind, lms.sim.dump_state())[:1]
    ]
    url = world.database_url
    found += [
        Violation(INCOMPLETE, f"operation {kind} {key} {status} without its error (run {run})")
        for run, kind, key, status in dbcheck.unexplained_failures(url)[:1]
    ]
    found += [
        Violation(INCOMPLETE, f"operation {kind} {key} left {status} in finished run {run}")
        for run, kind, key, status in dbcheck.unsettled_in_finished_runs(url)[:1]
    ]
    return found


def churn_hr(world: InProcess, rng: random.Random) -> None:
    """A small HR change: a rename, a move, a leaver or returner, an enrollment dropped."""
    hr = world.folder / "hr"
    people, enrollments = read_rows(hr / "people.csv"), read_rows(hr / "enrollments.csv")
    units = [row["code"] for row in read_rows(hr / "org_units.csv")]
    person = rng.choice(people)
    match rng.randrange(4):
        case 0:
            person["last_name"] = person["last_name"].split("-")[0] + f"-{rng.randint(1, 99)}"
        case 1:
            person["org_unit"] = rng.choice(units)
        case 2:
            person["status"] = "active" if person.get("status") == "inactive" else "inactive"
        case _:
            if enrollments:
                enrollments.pop(rng.randrange(len(enrollments)))
    write_rows(hr / "people.csv", people)
    write_rows(hr / "enrollments.csv", enrollments, ("employee_id", "course_code", "due_date"))
