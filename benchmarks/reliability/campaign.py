"""`python -m benchmarks.reliability [--quick | --long | --seconds N] [--probe NAME ...]`:
run the reliability probes within a time budget and print one table.

Each probe gets its share of the budget (7.5 minutes in all by default: with the trials
that run past their share, the campaign ends within 10 on a 2-core machine; 30 minutes
with --long); --quick runs a
smoke of each probe, a few seconds apiece. Progress goes to stderr, the table to stdout.
Exit code 1 when a probe found a failure or could not run, else 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.databases import DEFAULT_POSTGRES_ADMIN
from benchmarks.reliability import (
    completions,
    faults,
    hr_fuzz,
    lock_fencing,
    secret_leaks,
    sigkill,
    signals,
)
from benchmarks.reliability.outcome import ProbeContext, ProbeResult
from benchmarks.reliability.table import render

Probe = Callable[[ProbeContext], ProbeResult]
# name -> (probe, its share of the default budget in seconds, its --quick budget)
PROBES: dict[str, tuple[Probe, float, float]] = {
    faults.NAME: (faults.run, 60, 3),
    sigkill.NAME: (sigkill.run, 70, 5),
    lock_fencing.NAME: (lock_fencing.run, 45, 5),
    completions.NAME: (completions.run, 90, 8),  # 90 s of a daemon cycling every second
    hr_fuzz.NAME: (hr_fuzz.run, 40, 5),
    secret_leaks.NAME: (secret_leaks.run, 40, 5),
    signals.NAME: (signals.run, 105, 5),
}
# 450: each probe's last trial runs to its end past its share (a 540 s budget took 613 s)
DEFAULT_SECONDS = sum(share for _, share, _ in PROBES.values())
LONG_SECONDS = 1800.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reliability", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a smoke of a few seconds per probe")
    size.add_argument("--long", action="store_true", help=f"{LONG_SECONDS / 60:.0f} minutes")
    size.add_argument("--seconds", type=float, metavar="N", help="the budget of the probes run")
    parser.add_argument(
        "--probe",
        action="append",
        choices=list(PROBES),
        metavar="NAME",
        help=f"run this probe only (repeatable): {', '.join(PROBES)}",
    )
    parser.add_argument("--seed", type=int, help="seed of the random choices (default: the time)")
    parser.add_argument("-v", "--verbose", action="store_true", help="every violation on stderr")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES_ADMIN,
        metavar="ADMIN_URL",
        help=f"PostgreSQL server for lock_fencing (default {DEFAULT_POSTGRES_ADMIN})",
    )
    args = parser.parse_args(argv)
    if args.seconds is not None and args.seconds <= 0:
        parser.error("--seconds must be positive")
    args.probe = list(dict.fromkeys(args.probe or PROBES))
    if args.seed is None:
        args.seed = int(time.time()) % 100_000
    return args


def budgets(args: argparse.Namespace) -> dict[str, float]:
    """Seconds for each probe run: its quick budget, else its share (scaled by --long, or to
    fit --seconds among the probes chosen)."""
    if args.quick:
        return {name: PROBES[name][2] for name in args.probe}
    shares = {name: PROBES[name][1] for name in args.probe}
    scale = LONG_SECONDS / DEFAULT_SECONDS if args.long else 1.0
    if args.seconds:
        scale = args.seconds / sum(shares.values())
    return {name: share * scale for name, share in shares.items()}


def campaign(args: argparse.Namespace) -> list[ProbeResult]:
    """Run the chosen probes one after the other, in a scratch folder removed after."""
    seconds = budgets(args)
    results = []
    with tempfile.TemporaryDirectory(prefix="syncd-reliability-") as scratch:
        for name in args.probe:
            ctx = ProbeContext(
                seconds=seconds[name],
                quick=args.quick,
                seed=args.seed,
                workdir=Path(scratch) / name,
                postgres_admin=args.postgres,
                verbose=args.verbose,
            )
            results.append(run_probe(name, ctx))
    return results


def run_probe(name: str, ctx: ProbeContext) -> ProbeResult:
    """Run one probe; a probe that breaks is reported as ERROR, never hidden."""
    print(f"[{name}] budget {ctx.seconds:.0f} s", file=sys.stderr, flush=True)
    ctx.workdir.mkdir(parents=True)
    started = time.monotonic()
    try:
        return PROBES[name][0](ctx)
    except Exception as err:  # noqa: BLE001 - the campaign reports it and goes on
        traceback.print_exc(file=sys.stderr)
        said = f"probe broke: {type(err).__name__}: {err}"
        return ProbeResult(name, 0, 0, error=said, seconds=time.monotonic() - started)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "--quick" if args.quick else f"{sum(budgets(args).values()):.0f} s budget"
    print(f"syncd reliability campaign · {mode} · seed {args.seed}", file=sys.stderr, flush=True)
    started = time.monotonic()
    results = campaign(args)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    took = time.monotonic() - started
    print(f"syncd reliability · {stamp} · {mode} · seed {args.seed} · took {took:.0f} s")
    print("\n".join(render(results)))
    return 0 if all(r.passed for r in results) else 1
