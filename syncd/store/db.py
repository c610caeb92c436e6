"""Opening the database and migrating it: one engine per process, alembic for the schema.

SQLite gets WAL, a busy timeout and foreign keys, and syncs its log to disk only where
syncd needs it (`synchronous=NORMAL`; `durable` commits, docs/decisions/006); PostgreSQL
is reached through psycopg 3 (a plain `postgresql://` URL is taken to mean that driver).
Every engine hides its SQL parameters (HR people's names and emails) from error messages
and logs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import syncd

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, the driver syncd ships with."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "checkin", _sqlite_back_to_normal)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


DURABLE = "syncd_durable"  # a pooled connection's info: it syncs every commit until checked in


def make_durable(session: Session) -> None:
    """Have the session's next commit reach the disk before it returns. In WAL mode with
    `synchronous=NORMAL`, SQLite syncs its log only at checkpoints: a process killed loses
    no commit, a power cut may lose the last ones. Called first thing in a unit of work
    (SQLite takes the setting only outside a transaction); PostgreSQL always syncs."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection
    if not raw.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("PRAGMA synchronous=FULL")
        raw.info[DURABLE] = True


def _sqlite_back_to_normal(dbapi_connection: Any, record: Any) -> None:
    """Back in the pool (its transaction ended), a durable connection syncs as others do."""
    if record is not None and record.info.pop(DURABLE, False):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrations_dir() -> Path:
    """The alembic scripts: inside the installed package (wheel), else the source tree."""
    packaged = Path(syncd.__file__).parent / "migrations"
    return packaged if packaged.is_dir() else Path(syncd.__file__).parents[1] / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def not_ready(engine: Engine) -> str | None:
    """None when the database answers and is at the newest migration, else why not (the
    daemon's /readyz)."""
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as err:
        return f"the status database does not answer ({type(err).__name__})"
    newest = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    if current != newest:
        return "the status database is not at the newest schema (syncd db upgrade)"
    return None
