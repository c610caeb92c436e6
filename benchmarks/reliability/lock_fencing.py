"""Probe `lock_fencing`: two syncd processes on one Docebo target over PostgreSQL; the lane
lock of the first is taken away in the middle of its apply.

A throwaway PostgreSQL database per trial; Docebo served on a loopback port, each batch
or branch call slowed down so apply lasts seconds. Two `run --once` processes start
together: one takes the target's lane and applies, the other waits for the lane. After
a few writes the probe terminates the backend holding the lane's advisory lock (found
in pg_locks by its key), as a failover, a network cut or an idle-session timeout would;
the waiting process gets the lock. Invariant: no two Docebo
write calls ever overlap in time (each call's [start, end] as the simulator served it),
and Docebo holds nothing twice: a writer that lost its lock must stop writing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.databases import throwaway_postgres
from benchmarks.reliability import dbcheck
from benchmarks.reliability.lms import Lms, duplicates
from benchmarks.reliability.outcome import (
    DAMAGE,
    WRONG,
    ProbeContext,
    ProbeResult,
    Violation,
    average,
)
from benchmarks.reliability.procs import Proc, Procs, wait_until
from benchmarks.reliability.world import LOOSE_SAFETY, Fleet, copy_hr, migrate, write_config
from syncd.sandbox.core import LoggedRequest
from syncd.store.locks import lock_key

NAME = "lock_fencing"
LATENCY = 0.4  # seconds per Docebo batch or branch call
HOLDER = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = :hi AND objid = :lo AND objsubid = 1 "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
WAITER = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND query LIKE 'SELECT pg_try_advisory_lock%' AND pid <> ALL(:holders) "
    "AND pid <> pg_backend_pid() "
    "AND query_start > now() - interval '1 second'"
)


def run(ctx: ProbeContext) -> ProbeResult:
    tally = ctx.tally(NAME)
    spent = 0.0
    rng = random.Random(ctx.seed)
    while ctx.more(tally.trials, average(spent, tally.trials, 20.0), 1 if ctx.quick else 3):
        started = time.monotonic()
        folder = ctx.workdir / f"{NAME}-{tally.trials}"
        folder.mkdir(parents=True)
        with throwaway_postgres(ctx.postgres_admin) as url:
            found, taken = trial(folder, migrate(url), rng)
            tally.trial(found)
            tally.note("lane locks taken away mid-apply", bool(taken.pids))
        spent += time.monotonic() - started
        ctx.say(f"{NAME}: trial {tally.trials}, {tally.failures} failed")
        if ctx.quick:
            break
    return tally.result(spent)


def trial(folder: Path, url: str, rng: random.Random) -> tuple[list[Violation], Takeover]:
    copy_hr(folder)
    with Fleet(["docebo"]) as fleet:
        lms = fleet.lms["docebo"]
        lms.sim.latency(LATENCY, serial_only=True)
        # A request outlives its lock by at most the timeout, which the next holder waits out.
        targets = fleet.targets(max_attempts=3, timeout_seconds=5)
        config = write_config(folder, url, targets, safety=LOOSE_SAFETY)
        with Procs(folder, config) as procs:
            pair = (procs.start("run", "--once"), procs.start("run", "--once"))
            writes = rng.randint(1, 5)
            taken = _take_lock_away(url, lms, pair, writes)
            for proc in pair:
                if proc.wait(180) is None:
                    proc.kill()
        return _checks(lms, taken, writes), taken


@dataclass(frozen=True, slots=True)
class Takeover:
    """The lock backends the probe terminated, and when (the simulator's clock: time.time)."""

    pids: tuple[int, ...] = ()
    at: float = 0.0


def _take_lock_away(url: str, lms: Lms, pair: tuple[Proc, Proc], writes: int) -> Takeover:
    """Once the lane's holder made `writes` writes and the other process waits for the
    lane, terminate the holder's lock backend."""
    reader = dbcheck.Reader(url)
    hi, lo = _halves(lock_key(f"lane:{lms.target}"))

    def both() -> bool:
        return all(p.alive() for p in pair)

    try:
        wait_until(lambda: len(lms.sim.writes) >= writes or not both(), 90)
        holders = [pid for (pid,) in reader.rows(HOLDER, hi=hi, lo=lo)]
        wait_until(lambda: _waiting(reader, holders) or not both(), 60, poll=0.05)
        if not both():
            return Takeover()
        at = time.time()
        ended = reader.rows(
            f"SELECT pid, pg_terminate_backend(pid) FROM ({HOLDER}) AS holder",
            hi=hi,
            lo=lo,
        )
        return Takeover(tuple(pid for pid, done in ended if done), at)
    finally:
        reader.close()


def _waiting(reader: dbcheck.Reader, holders: list[int]) -> bool:
    return bool(reader.rows(WAITER, holders=holders or [0])[0][0])


def _halves(key: int) -> tuple[int, int]:
    """pg_locks shows a bigint advisory key as two oids: its high and low 32 bits."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return unsigned >> 32, unsigned & 0xFFFF_FFFF


def _checks(lms: Lms, taken: Takeover, writes: int) -> list[Violation]:
    when = (
        f"the holder's lane-lock backend {taken.pids[0]} terminated after {writes} writes"
        if taken.pids
        else f"a run ended before its lock could be taken ({writes} writes)"
    )
    found = [
        Violation(DAMAGE, f"docebo holds a duplicate: {dup} ({when})")
        for dup in duplicates("docebo", lms.sim.dump_state())[:1]
    ]
    overlap = first_overlap(lms.sim.requests, taken.at)
    if overlap is not None:
        found.append(Violation(WRONG, f"{overlap} ({when})"))
    return found


def first_overlap(requests: list[LoggedRequest], lost_at: float = 0.0) -> str | None:
    """The first two write calls whose [start, end] intervals overlap, in words (and whether
    the earlier one was in flight when the lock was lost at `lost_at`)."""
    writes = sorted(
        (r for r in requests if r.method not in ("GET", "HEAD") and "oauth2" not in r.path),
        key=lambda r: r.started_at,
    )
    longest: LoggedRequest | None = None  # of the calls so far, the one that ends last
    for after in writes:
        before = longest
        if longest is None or after.finished_at > longest.finished_at:
            longest = after
        if before is not None and after.started_at < before.finished_at:
            in_flight = before.started_at <= lost_at < before.finished_at
            return (
                f"{after.method} {after.path} ({after.status}) started "
                f"{before.finished_at - after.started_at:.3f}s before {before.method} "
                f"{before.path} ({before.status}"
                f"{', in flight when the lock was lost' if in_flight else ''}) ended"
            )
    return None
