"""`python -m benchmarks [--lms L,...] [--size LMS=N[,N...]] [--people N ...] [--diff-people N ...]
[--database URL | --postgres] [--no-peer] [--quick]`: run the benchmarks and print the tables.

Per LMS and size, three cycles on a fresh database and a simulator holding only the demo
courses: the first sync, a cycle with no change (which must write nothing), a cycle
after 2 % churn (a size marked `:first` runs the first sync only). Each cycle's requests
are printed by family beside the independent minimum (`benchmarks/minimum/`) and the
per-record peer (`benchmarks/peer/`), then a summary of the ratios of every run. Then the
pure diff, fed from a database as the cycle feeds it, and how fast `syncd` starts. Exit
code 1 when a check fails (a cycle not ok, the LMS not equal to HR's desired state, a
write without a change, concurrent serial calls); ratios and timings are figures, never
checked.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import structlog

from benchmarks.databases import DEFAULT_POSTGRES_ADMIN, DatabaseChoice
from benchmarks.diffbench import run_diff_bench
from benchmarks.hrdata import CONFIG_GROUPS, HrData, churn, generate
from benchmarks.report import cycle_tables, diff_table, summary_table
from benchmarks.startup import startup_lines
from benchmarks.syncd_process import configure_quiet_logs
from benchmarks.world import BenchWorld, Stage
from syncd.kinds import KINDS, lookup

QUICK_PEOPLE, QUICK_DIFF = 30, [2_000]
DEFAULT_DIFF = [10_000, 100_000, 1_000_000]  # 1,000,000: the done-when size
# The default run: Docebo at 2,000 and 10,000 (and the scale run of 100,000: first sync and
# no change, without the peer), Litmos at 1,000 and a first load of 10,000, Dokeos and
# Coursepath at 1,000.
DEFAULT_SIZES = {
    "docebo": "2000,10000,100000:scale",
    "litmos": "1000,10000:first",
    "dokeos": "1000",
    "coursepath": "1000",
}


@dataclass(frozen=True, slots=True)
class Run:
    """One cycle benchmark: an LMS kind, a size, and which cycles run: all three, the first
    sync only (`N:first`), or first sync and no change without the peer (`N:scale`)."""

    lms: str
    people: int
    first_only: bool = False
    scale: bool = False


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--lms", type=_names, metavar="L[,L...]", help="LMS kinds (default: all)")
    parser.add_argument(
        "--size", action="append", default=[], metavar="LMS=N[,N...]",
        help="people per cycle benchmark of that LMS (N:first runs the first sync only)",
    )  # fmt: skip
    parser.add_argument(
        "--people", action="append", type=_sizes, metavar="N[,N...]",
        help="people per cycle benchmark, for every LMS not given a --size",
    )  # fmt: skip
    parser.add_argument(
        "--diff-people", action="append", type=_sizes, metavar="N[,N...]",
        help="people per pure-diff benchmark (default 10000, 100000 and 1000000)",
    )  # fmt: skip
    parser.add_argument("--churn", type=float, default=0.02, help="share changed (default 0.02)")
    parser.add_argument("--no-peer", action="store_true", help="leave the per-record peer out")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", metavar="URL", help="an empty database to use (one run)")
    where.add_argument(
        "--postgres", nargs="?", const=DEFAULT_POSTGRES_ADMIN, metavar="ADMIN_URL",
        help="a throwaway PostgreSQL database per run, created through ADMIN_URL "
        f"(default {DEFAULT_POSTGRES_ADMIN})",
    )  # fmt: skip
    parser.add_argument("--only", choices=("cycles", "diff"), help="run one half only")
    parser.add_argument("--quick", action="store_true", help="small sizes, for the smoke test")
    args = parser.parse_args(argv)
    try:
        args.runs = runs(args)
    except ValueError as err:
        parser.error(str(err))
    default_diff = QUICK_DIFF if args.quick else DEFAULT_DIFF
    args.diff_people = sorted({n for group in args.diff_people or [default_diff] for n in group})
    if args.database and len(args.runs) > 1:
        parser.error("--database takes one run (each run needs an empty database)")
    return args


def runs(args: argparse.Namespace) -> list[Run]:
    """The cycle benchmarks asked for, LMS by LMS in `--lms` order, smallest first."""
    chosen = args.lms or [kind.kind for kind in KINDS]
    given = dict(_lms_size(text) for text in args.size)
    unknown = sorted(given.keys() - set(chosen))
    if unknown:
        raise ValueError(f"--size for an LMS not chosen: {', '.join(unknown)}")
    out = []
    for lms in chosen:
        text = given.get(lms) or _everyone(args) or DEFAULT_SIZES.get(lms, "1000")
        sizes = _size_list(text)
        out += sorted(
            (Run(lms, n, flag == "first", flag == "scale") for n, flag in sizes),
            key=lambda r: r.people,
        )
    return out


def _everyone(args: argparse.Namespace) -> str | None:
    if args.quick:
        return str(QUICK_PEOPLE)
    if args.people:
        return ",".join(str(n) for group in args.people for n in group)
    return None


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        try:
            lookup(name)
        except Exception as err:
            raise argparse.ArgumentTypeError(str(err)) from err
    return names


def _lms_size(text: str) -> tuple[str, str]:
    lms, sep, sizes = text.partition("=")
    if not sep or not sizes:
        raise ValueError(f"--size wants LMS=N[,N...]: {text!r}")
    _size_list(sizes)
    return lms.strip(), sizes


def _size_list(text: str) -> list[tuple[int, str]]:
    out = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        number, _, flag = part.partition(":")
        if flag not in {"", "first", "scale"}:
            raise ValueError(f"a size is N, N:first or N:scale: {part!r}")
        out.append((_sizes(number)[0], flag))
    return out


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from err
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"sizes must be at least 10: {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    started = perf_counter()
    args = parse_args(argv)
    database = DatabaseChoice(args.database, args.postgres)
    print(
        f"syncd benchmarks · Python {platform.python_version()} · {platform.system()} · "
        f"database: {database.label} · churn {args.churn:.0%}"
    )
    failures: list[str] = []
    stages: list[Stage] = []
    with quiet_logs():
        if args.only != "diff":
            for run in args.runs:
                done, failed = bench_cycles(run, database, args.churn, peer=not args.no_peer)
                stages += done
                failures += failed
            print("\n== summary: requests and writes against the independent minimum ==")
            print("  (! above 1.10 for requests, 1.05 for writes; '-' where both are 0)")
            print("\n".join(summary_table(stages)))
        if args.only != "cycles":
            print(
                "\n== pure diff (the streaming diff from a SQLite file, a fresh process per case;"
                " x scan: its CPU over a bare ordered scan of the same rows) =="
            )
            results = []
            for people in args.diff_people:
                print(f"[{people:,} people] pure diff ...", file=sys.stderr, flush=True)
                results += run_diff_bench(people, churn_share=args.churn)
            print("\n".join(diff_table(results)))
    print("\n== startup (best of 3, a fresh interpreter each) ==")
    print("\n".join(startup_lines()))
    print(f"\nwall time of the whole run: {perf_counter() - started:,.0f} s")
    print("checks: " + ("all passed" if not failures else "FAILED"))
    for failure in failures:
        print(f"  FAILED: {failure}")
    return 1 if failures else 0


def bench_cycles(
    run: Run, database: DatabaseChoice, share: float, *, peer: bool = True
) -> tuple[list[Stage], list[str]]:
    """First sync, no change, churn for one LMS at one size; the stages and failed checks."""
    data = generate(run.people)
    churned, summary = churn(data, share)
    label = f"{run.lms} · {run.people:,} people"
    with (
        tempfile.TemporaryDirectory(prefix="syncd-bench-") as folder,
        database.for_size(Path(folder)) as url,
    ):
        world = BenchWorld(Path(folder), url, lookup(run.lms))
        try:
            if not world.is_empty():
                return [], [f"{label}: the database is not empty ({database.label})"]
            plan = [("first sync", data)]
            if not run.first_only:
                plan += [("no change", data)]
            if not (run.first_only or run.scale):
                plan += [(f"churn {share:.0%}", churned)]
            with_peer = peer and not run.scale
            stages = [_progress(world, label, name, hr, with_peer) for name, hr in plan]
            for stage in stages:
                stage.people = run.people  # the run's size, whatever churn hired or dropped
        finally:
            world.close()
    print(
        f"\n== {label} · {len(data.units):,} org units · {CONFIG_GROUPS} config groups · "
        f"{len(data.enrollments):,} explicit enrollments =="
    )
    if not (run.first_only or run.scale):
        print("churn: " + " · ".join(f"{what} {count:,}" for what, count in summary.items()))
    print("\n".join(cycle_tables(stages)))
    for stage in stages:
        for note in stage.notes:
            print(f"  note: {note}")
    return stages, checks(label, stages)


def _progress(world: BenchWorld, label: str, name: str, data: HrData, peer: bool) -> Stage:
    print(f"[{label}] {name} ...", file=sys.stderr, flush=True)
    return world.stage(name, data, peer=peer)


def checks(label: str, stages: Sequence[Stage]) -> list[str]:
    failed = [f"{label}, {s.name}: status {s.status}" for s in stages if s.status != "ok"]
    failed += [
        f"{label}, {s.name}: {s.failed_ops} operations failed" for s in stages if s.failed_ops
    ]
    failed += [
        f"{label}, {s.name}: {s.violations} concurrent serial calls" for s in stages if s.violations
    ]
    failed += [
        f"{label}, {s.name}: the LMS is not HR's desired state: {'; '.join(s.state_check)}"
        for s in stages
        if s.state_check
    ]
    quiet = [s for s in stages if s.name == "no change"]
    failed += [
        f"{label}, no change: {s.writes} writes, plan {s.ops}" for s in quiet if s.writes or s.ops
    ]
    return failed


@contextmanager
def quiet_logs() -> Iterator[None]:
    """syncd's warnings and errors on stderr, nothing on stdout; the old set-up restored after."""
    saved = structlog.get_config()
    configure_quiet_logs()
    try:
        yield
    finally:
        structlog.configure(**saved)
