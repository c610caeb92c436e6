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
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on: every test using it runs on both."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL; every test using it runs on both backends."""
    url = new_database_url(backend, tmp_path)
    clone_database(migrated_template(request, backend), url)
    yield url
    drop_database(url)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh PostgreSQL database only, for behaviour SQLite does not have (advisory locks)."""
    url = new_database_url("postgres", tmp_path)
    clone_database(migrated_template(request, "postgres"), url)
    yield url
    drop_database(url)


def new_database_url(backend: str, folder: Path) -> str:
    """The URL of a database not made yet: a file in `folder`, or a PostgreSQL database
    named for this run."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'syncd.db'}"
    return PG_URL.format(name=f"syncd_t_{RUN_ID}_{uuid.uuid4().hex[:8]}")


def migrated_template(request: pytest.FixtureRequest, backend: str) -> str:
    """The URL of this run's migrated, empty database on `backend`."""
    if backend == "sqlite":
        return f"sqlite:///{request.getfixturevalue('sqlite_template')}"
    return PG_URL.format(name=request.getfixturevalue("pg_template"))


def clone_database(source_url: str, url: str) -> None:
    """Make the database at `url` (not made yet) a copy of the one at `source_url`, on
    which no session is open: the file on SQLite, a clone on PostgreSQL."""
    if url.startswith("sqlite:///"):
        source, path = source_url.removeprefix("sqlite:///"), url.removeprefix("sqlite:///")
        shutil.copy(source, path)
        if Path(f"{source}-wal").exists():
            shutil.copy(f"{source}-wal", f"{path}-wal")
        return
    source_name, name = source_url.rsplit("/", 1)[1], url.rsplit("/", 1)[1]
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database `clone_database` made (a SQLite file goes with its folder)."""
    if not url.startswith("sqlite"):
        _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
