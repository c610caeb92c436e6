"""Fixtures for end-to-end tests: a world per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import World


@pytest.fixture
def fresh(tmp_path: Path, database_url: str) -> World:
    """A world whose Docebo has never been synced."""
    return World(tmp_path, database_url)


@pytest.fixture
def synced(fresh: World) -> World:
    """A world after one clean first cycle."""
    report = fresh.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    return fresh


@pytest.fixture
def served(synced: World) -> Iterator[World]:
    """A synced world whose simulator listens on loopback, for the real CLI."""
    server = synced.serve()
    yield synced
    server.shutdown()


Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start child processes that are killed and reaped when the test ends, pass or fail,
    so a daemon a failed test left running never loads the tests after it."""
    started: list[subprocess.Popen[str]] = []

    def start(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
        process: subprocess.Popen[str] = subprocess.Popen(args, text=True, **kwargs)  # type: ignore[call-overload]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None and not stream.closed:
                stream.close()
