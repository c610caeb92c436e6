"""How fast the `syncd` command starts: `syncd --help`, and `syncd status` on an empty
SQLite status database, each the best wall time of a few runs in a fresh interpreter (as
a user or a health probe starts it). A figure, never checked."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

RUNS = 3
CONFIG = """[database]
url = "sqlite:///{folder}/status.db"
[hr]
path = "{folder}/hr"
"""


def startup_lines() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="syncd-startup-") as folder:
        config = Path(folder) / "syncd.toml"
        config.write_text(CONFIG.format(folder=folder), encoding="utf-8")
        status = ["-c", str(config), "status"]
        _run(status)  # the first creates the database's tables: not what is timed
        return [
            f"  syncd --help   {_best(['--help']):.2f} s",
            f"  syncd status   {_best(status):.2f} s (an empty status database)",
        ]


def _best(args: list[str]) -> float:
    return min(_run(args) for _ in range(RUNS))


def _run(args: list[str]) -> float:
    started = perf_counter()
    subprocess.run(
        [sys.executable, "-m", "syncd", *args], check=True, capture_output=True, timeout=120
    )
    return perf_counter() - started
