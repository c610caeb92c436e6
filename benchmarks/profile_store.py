"""`python -m benchmarks.profile_store [--lms L] [--people N] [--profile STAGE] [--top K]`:
where syncd's own CPU goes in the benchmark's first sync and no-change cycles.

Runs the benchmark world (`world.py`, without the peer) and prints, per cycle, the CPU
seconds, those answering requests (the simulator's), and syncd's process's resident set at
the start and its peak during the cycle. With `--profile STAGE`, that cycle runs under
cProfile in syncd's process and its costliest functions are printed. A measuring aid:
nothing here is checked.
"""

from __future__ import annotations

import argparse
import pstats
import tempfile
from pathlib import Path

from benchmarks.cli import quiet_logs
from benchmarks.hrdata import generate
from benchmarks.world import BenchWorld
from syncd.kinds import lookup

STAGES = ("first sync", "no change")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_store")
    parser.add_argument("--lms", default="docebo")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--profile", choices=STAGES, action="append", default=[])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    data = generate(args.people)
    with tempfile.TemporaryDirectory(prefix="syncd-prof-") as folder, quiet_logs():
        world = BenchWorld(Path(folder), f"sqlite:///{folder}/syncd.db", lookup(args.lms))
        try:
            for name in STAGES:
                stats = f"{folder}/{name}.prof" if name in args.profile else None
                s = world.stage(name, data, peer=False, profile_path=stats)
                print(
                    f"== {name}: {s.status} · wall {s.wall:.2f} s · CPU {s.cpu_seconds:.2f} s"
                    f" · in sim {s.sim_cpu_seconds:.2f} s · outside {s.syncd_cpu_seconds:.2f} s"
                    f" · RSS at start {s.rss_start_mb:.0f} MiB, peak {s.peak_rss_mb:.0f} MiB",
                    flush=True,
                )
                if stats:
                    pstats.Stats(stats).sort_stats(args.sort).print_stats(args.top)
        finally:
            world.close()


if __name__ == "__main__":
    main()
