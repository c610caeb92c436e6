"""Alembic environment for syncd: runs on the engine syncd hands over (`syncd db upgrade`),
or on $SYNCD_DATABASE_URL when alembic is called by hand (e.g. `alembic check`)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine

from syncd.store.db import make_engine
from syncd.store.schema import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    return make_engine(os.environ.get("SYNCD_DATABASE_URL", "sqlite:///var/syncd.db"))


def run_migrations_online() -> None:
    engine = _engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
