"""Fixtures for end-to-end tests: a world per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
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
