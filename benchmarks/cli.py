"""`python -m benchmarks [--people N ...] [--diff-people N ...] [--database URL | --postgres]
[--quick]`: run the benchmarks and print the tables.

Per size, three cycles on a fresh database and an empty simulated Docebo: the first sync,
a cycle with no change (which must write nothing), a cycle after 2 % churn. Then the pure
diff, fed from a database as the cycle feeds it. Exit code 1 when a check fails (a write
without a change, a cycle not ok, concurrent serial calls); timings are never checked.
"""

from __future__ import annotations

import argparse
import logging
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import structlog

from benchmarks.databases import DEFAULT_POSTGRES_ADMIN, DatabaseChoice
from benchmarks.diffbench import run_diff_bench
from benchmarks.hrdata import CONFIG_GROUPS, HrData, churn, generate
from benchmarks.report import cycle_tables, diff_table
from benchmarks.world import BenchWorld, Stage

QUICK_PEOPLE, QUICK_DIFF = [200], [2_000]
DEFAULT_PEOPLE, DEFAULT_DIFF = [1_000, 10_000], [10_000, 100_000]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--people",
        action="append",
        type=_sizes,
        metavar="N[,N...]",
        help="people per cycle benchmark (repeatable; default 1000 and 10000)",
    )
    parser.add_argument(
        "--diff-people",
        action="append",
        type=_sizes,
        metavar="N[,N...]",
        help="people per pure-diff benchmark (default 10000 and 100000)",
    )
    parser.add_argument("--churn", type=float, default=0.02, help="share changed (default 0.02)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", metavar="URL", help="an empty database to use (one size)")
    where.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_ADMIN,
        metavar="ADMIN_URL",
        help="a throwaway PostgreSQL database per size, created through ADMIN_URL "
        f"(default {DEFAULT_POSTGRES_ADMIN})",
    )
    parser.add_argument("--only", choices=("cycles", "diff"), help="run one half only")
    parser.add_argument("--quick", action="store_true", help="small sizes, for the smoke test")
    args = parser.parse_args(argv)
    default_people, default_diff = (
        (QUICK_PEOPLE, QUICK_DIFF) if args.quick else (DEFAULT_PEOPLE, DEFAULT_DIFF)
    )
    args.people = sorted({n for group in args.people or [default_people] for n in group})
    args.diff_people = sorted({n for group in args.diff_people or [default_diff] for n in group})
    if args.database and len(args.people) > 1:
        parser.error("--database takes one --people size (each size needs an empty database)")
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from err
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"sizes must be at least 10: {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database = DatabaseChoice(args.database, args.postgres)
    print(
        f"syncd benchmarks · Python {platform.python_version()} · {platform.system()} · "
        f"database: {database.label} · churn {args.churn:.0%}"
    )
    failures: list[str] = []
    with quiet_logs():
        if args.only != "diff":
            for people in args.people:
                failures += bench_cycles(people, database, args.churn)
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
    print("\nchecks: " + ("all passed" if not failures else "FAILED"))
    for failure in failures:
        print(f"  FAILED: {failure}")
    return 1 if failures else 0


def bench_cycles(people: int, database: DatabaseChoice, share: float) -> list[str]:
    """First sync, no change, churn at one size; the failed checks."""
    data = generate(people)
    churned, summary = churn(data, share)
    with (
        tempfile.TemporaryDirectory(prefix="syncd-bench-") as folder,
        database.for_size(Path(folder)) as url,
    ):
        world = BenchWorld(Path(folder), url)
        try:
            if not world.is_empty():
                return [f"{people:,} people: the database is not empty ({database.label})"]
            stages = [
                _progress(people, "first sync", world.stage, data),
                _progress(people, "no change", world.stage, data),
                _progress(people, f"churn {share:.0%}", world.stage, churned),
            ]
        finally:
            world.close()
    print(
        f"\n== {people:,} people · {len(data.units):,} org units · {CONFIG_GROUPS} config groups · "
        f"{len(data.enrollments):,} explicit enrollments =="
    )
    print("churn: " + " · ".join(f"{what} {count:,}" for what, count in summary.items()))
    print("\n".join(cycle_tables(stages)))
    for stage in stages:
        for note in stage.notes:
            print(f"  note: {note}")
    return checks(people, stages)


def _progress(people: int, name: str, run: Callable[[str, HrData], Stage], data: HrData) -> Stage:
    print(f"[{people:,} people] {name} ...", file=sys.stderr, flush=True)
    return run(name, data)


def checks(people: int, stages: Sequence[Stage]) -> list[str]:
    failed = [f"{people:,} people, {s.name}: status {s.status}" for s in stages if s.status != "ok"]
    failed += [
        f"{people:,} people, {s.name}: {s.failed_ops} operations failed"
        for s in stages
        if s.failed_ops
    ]
    failed += [
        f"{people:,} people, {s.name}: {s.violations} concurrent serial calls"
        for s in stages
        if s.violations
    ]
    quiet = stages[1]
    if quiet.writes or quiet.ops:
        failed.append(f"{people:,} people, no change: {quiet.writes} writes, plan {quiet.ops}")
    return failed


@contextmanager
def quiet_logs() -> Iterator[None]:
    """syncd's warnings and errors on stderr, nothing on stdout; the old set-up restored after."""
    saved = structlog.get_config()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    try:
        yield
    finally:
        structlog.configure(**saved)
