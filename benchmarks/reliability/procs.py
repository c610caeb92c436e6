"""Real syncd processes: started with `sys.executable -m syncd`, watched, stopped, read.

`Procs` starts each process in its own session with stdout and stderr in files of the
trial folder (never a pipe that could fill up), and kills whatever is still running
when the block ends. `wait_until` polls a condition; `log_events` reads syncd's JSON
log lines; `traceback_in` spots a Python traceback in a stream.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class Proc:
    """One syncd process and where its output goes."""

    popen: subprocess.Popen[bytes]
    out: Path
    err: Path
    args: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return " ".join(("syncd", *self.args))

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            self.popen.send_signal(signum)

    def wait(self, seconds: float) -> int | None:
        """The exit code, or None if still running after `seconds`."""
        try:
            return self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stdout(self) -> str:
        return _read(self.out)

    def stderr(self) -> str:
        return _read(self.err)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


class Procs:
    """Starts syncd processes in `folder`; kills every one still alive on exit."""

    def __init__(self, folder: Path, config: Path, env: dict[str, str] | None = None) -> None:
        self.folder, self.config = folder, config
        self.env = {
            **os.environ,
            "SYNCD_CONFIG": str(config),
            "SYNCD_HEARTBEAT": str(folder / "heartbeat"),
            **(env or {}),
        }
        self.started: list[Proc] = []

    def start(self, *args: str) -> Proc:
        index = len(self.started)
        out, err = self.folder / f"proc{index}.out", self.folder / f"proc{index}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            popen = subprocess.Popen(
                [sys.executable, "-m", "syncd", "-c", str(self.config), *args],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        proc = Proc(popen, out, err, args)
        self.started.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 120) -> Proc:
        """Start and wait for the end (killed after `timeout` seconds)."""
        proc = self.start(*args)
        if proc.wait(timeout) is None:
            proc.kill()
        return proc

    def close(self) -> None:
        for proc in self.started:
            proc.kill()

    def __enter__(self) -> Procs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_until(condition: Callable[[], bool], seconds: float, poll: float = 0.02) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
    return True


def log_events(text: str) -> Iterator[dict[str, Any]]:
    """syncd's JSON log lines in `text` (other lines skipped)."""
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                yield event


def crashes(text: str, names: Sequence[str] = ("cycle_crashed",)) -> list[dict[str, Any]]:
    return [e for e in log_events(text) if e.get("event") in names]


def traceback_in(text: str) -> str | None:
    """The last line of the first Python traceback in `text` (raw or inside JSON logs)."""
    for event in log_events(text):
        if "exception" in event:
            return _last_line(str(event["exception"]))
    marker = "Traceback (most recent call last)"
    if marker not in text:
        return None
    return _last_line(text[text.index(marker) :])


def _last_line(trace: str) -> str:
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    for line in lines[1:]:
        if not line.startswith((" ", "Traceback", "During handling", "The above")):
            return line.strip()[:200]
    return lines[-1].strip()[:200] if lines else "traceback"
