"""`python -m benchmarks.profile_store [--people N] [--profile STAGE] [--top K]`: where
syncd's own CPU goes in the benchmark's first sync and no-change cycles.

Runs the benchmark world (`world.py`) and prints, per cycle, the process's CPU seconds,
those inside the simulator (its transport timed by `process_time`), and the resident-set
peak during the cycle (Linux: the peak is reset before each cycle; the simulator's state,
in the same process, counts in it).
With `--profile STAGE`, that cycle runs under cProfile and its costliest functions are
printed. A measuring aid: nothing here is checked.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.cli import quiet_logs
from benchmarks.hrdata import generate
from benchmarks.world import BenchWorld

STAGES = ("first sync", "no change")


class CpuTimed(httpx.BaseTransport):
    """The simulator's transport, adding up the process CPU seconds spent inside it (wall
    time inside it grows with whatever else the machine runs; CPU time does not)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.cpu = inner, 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.process_time()
        try:
            response = self.inner.handle_request(request)
            response.read()
            return response
        finally:
            self.cpu += time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_store")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--profile", choices=STAGES, action="append", default=[])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    data = generate(args.people)
    with tempfile.TemporaryDirectory(prefix="syncd-prof-") as folder, quiet_logs():
        world = BenchWorld(Path(folder), f"sqlite:///{folder}/syncd.db")
        sim = world.transport.inner = CpuTimed(world.transport.inner)
        try:
            for name in STAGES:
                profile = cProfile.Profile() if name in args.profile else None
                at_start, sim.cpu = _reset_peak(), 0.0
                cpu, wall = time.process_time(), time.perf_counter()
                if profile:
                    profile.enable()
                stage = world.stage(name, data)
                if profile:
                    profile.disable()
                spent, wall = time.process_time() - cpu, time.perf_counter() - wall
                print(
                    f"== {name}: {stage.status} · wall {wall:.2f} s · CPU {spent:.2f} s"
                    f" · in sim {sim.cpu:.2f} s"
                    f" · outside {spent - sim.cpu:.2f} s · RSS at start"
                    f" {at_start:.0f} MiB, peak {_status_mib('VmHWM'):.0f} MiB",
                    flush=True,
                )
                if profile:
                    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
        finally:
            world.close()


def _reset_peak() -> float:
    """Reset the resident-set peak to the current size (Linux); the current size, MiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return 0.0
    return _status_mib("VmRSS")


def _status_mib(field: str) -> float:
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
