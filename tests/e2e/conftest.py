"""Fixtures for end-to-end tests: a world per test, on SQLite and on PostgreSQL; a world
of any LMS kind as its first cycle left it (`synced_world`), copied from one first cycle
a run."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from syncd.clock import FakeClock
from tests.conftest import clone_database, drop_database, migrated_template, new_database_url
from tests.e2e.harness import World
from tests.e2e.worlds import WORLDS


@dataclass(frozen=True)
class FirstCycle:
    """What a world's first clean cycle left: syncd's database, the LMS, the clock."""

    database_url: str
    lms: str  # the simulator's state, as JSON
    now: dt.datetime


@pytest.fixture(scope="session")
def first_cycles() -> Iterator[dict[tuple[str, ...], FirstCycle]]:
    """The first cycles this run made, by world kind, options and database backend."""
    made: dict[tuple[str, ...], FirstCycle] = {}
    yield made
    for cycle in made.values():
        drop_database(cycle.database_url)


SyncedWorld = Callable[..., World]


@pytest.fixture
def synced_world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
    first_cycles: dict[tuple[str, ...], FirstCycle],
) -> Iterator[SyncedWorld]:
    """`synced_world(kind, **options)`: a WORLDS[kind] world (options are its keywords) as
    its first clean cycle left it, on a database of its own on `backend`. That cycle runs
    once a test run for each kind, options and backend; each test starts from copies of
    its database, its simulator's state and its clock's time, checked in step. Rate limits
    start with empty windows on both sides (the simulator does not dump its own, and
    syncd's limiter lives with the clock), as after a quiet minute. Once a test."""
    made: list[str] = []

    def make(kind: str, **options: str) -> World:
        assert not made, "one synced world a test"
        key = (kind, backend, *(f"{k}={v}" for k, v in sorted(options.items())))
        if key not in first_cycles:
            folder = tmp_path_factory.mktemp("first-cycle")
            url = new_database_url(backend, folder)
            clone_database(migrated_template(request, backend), url)
            first_cycles[key] = _first_cycle(WORLDS[kind](folder, url, **options))
        cycle = first_cycles[key]
        made.append(new_database_url(backend, tmp_path))
        clone_database(cycle.database_url, made[0])
        world = WORLDS[kind](tmp_path, made[0], **options)
        world.sim.load_state(json.loads(cycle.lms))
        world.clock = FakeClock(cycle.now)
        world.assert_in_step()
        return world

    yield make
    for url in made:
        drop_database(url)


def _first_cycle(world: World) -> FirstCycle:
    report = world.run()
    assert report.targets[0].status == "ok", report.targets[0].message
    world.assert_in_step()
    return FirstCycle(world.database_url, json.dumps(world.sim.dump_state()), world.clock.now())


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
