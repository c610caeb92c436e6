"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL: each test run creates its own template database (migrated once) and
clones a new database from it for every test, dropping all of them at the end,
so runs and tests never see each other's rows. The server is expected at
127.0.0.1:5432 with trust auth (`.ci/run` starts it when it is down).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from syncd.store.db import make_engine, upgrade

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
RUN_ID = uuid.uuid4().hex[:8]


def end_lock_sessions(url: str) -> int:
    """End every other session holding an advisory lock in the database of `url`, as a
    server restart, a failover or `idle_session_timeout` would; how many were ended."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).all()
            conn.commit()
    finally:
        engine.dispose()
    return len(ended)


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"syncd_tpl_{RUN_ID}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(PG_URL.format(name=name))
    upgrade(engine)
    engine.dispose()
    yield name
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "syncd.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL; every test using it runs on both backends."""
    if request.param == "sqlite":
        path = tmp_path / "syncd.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"syncd_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield PG_URL.format(name=name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database only, for behaviour SQLite does not have (advisory locks)."""
    template = request.getfixturevalue("pg_template")
    name = f"syncd_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield PG_URL.format(name=name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
