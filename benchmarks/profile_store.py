"""`python -m benchmarks.profile_store [--people N] [--top K] [--sort tottime]`: where
syncd's own CPU goes in the benchmark's first sync and no-change cycles.

Runs the benchmark world (`world.py`) under cProfile, one profile per cycle, and prints
the process CPU seconds of each cycle, the seconds inside the simulator, and the
functions that cost most. A measuring aid: nothing here is checked.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from benchmarks.cli import quiet_logs
from benchmarks.hrdata import generate
from benchmarks.world import BenchWorld


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_store")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--no-profile", action="store_true", help="CPU seconds only")
    args = parser.parse_args()
    data = generate(args.people)
    with tempfile.TemporaryDirectory(prefix="syncd-prof-") as folder, quiet_logs():
        world = BenchWorld(Path(folder), f"sqlite:///{folder}/syncd.db")
        try:
            for name in ("first sync", "no change"):
                profile = None if args.no_profile else cProfile.Profile()
                cpu, wall = time.process_time(), time.perf_counter()
                if profile:
                    profile.enable()
                stage = world.stage(name, data)
                if profile:
                    profile.disable()
                spent, wall = time.process_time() - cpu, time.perf_counter() - wall
                print(
                    f"== {name}: {stage.status} · wall {wall:.2f} s · CPU {spent:.2f} s · in sim "
                    f"{stage.sim_seconds:.2f} s · outside {spent - stage.sim_seconds:.2f} s"
                    f" · peak RSS {stage.peak_rss_mb:.0f} MiB"
                )
                if profile:
                    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
        finally:
            world.close()


if __name__ == "__main__":
    main()
