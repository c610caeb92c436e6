"""The store: one database for the mirror, the shadow, the links and the status tables.

`Database` is what the rest of syncd holds: sessions for the repository functions
in this package, cross-process locks, and migrations. SQLAlchemy stays in here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session

from syncd.store.db import make_durable, make_engine, not_ready, session_factory, upgrade
from syncd.store.locks import Lease, held

__all__ = ["Database", "Lease", "Session", "durable_unit_of_work", "unit_of_work"]


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = session_factory(self.engine)

    def session(self) -> Session:
        return self._sessions()

    def lock(
        self, name: str, *, wait_seconds: float, stop: threading.Event | None = None
    ) -> AbstractContextManager[Lease]:
        """Hold a named lock across processes for the block; the lease is truthy if it was
        had (within `wait_seconds`, unless `stop` is set meanwhile), and `check()` raises
        once it is lost (see `store/locks.py`)."""
        return held(self.engine, name, wait_seconds=wait_seconds, stop=stop)

    def upgrade(self) -> None:
        upgrade(self.engine)

    def not_ready(self) -> str | None:
        """None when the database answers and its schema is the newest, else why not."""
        return not_ready(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """One stage's writes, committed together when the block ends and rolled back if it
    raises: the engine marks where a unit ends and never commits or rolls back itself."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


@contextmanager
def durable_unit_of_work(session: Session) -> Iterator[Session]:
    """`unit_of_work` whose commit is on disk when the block ends, even through a power cut:
    what must hold before a request goes out (journal before send). Other commits survive
    a killed process but may be lost with the machine's power (`db.make_durable`)."""
    with unit_of_work(session):
        make_durable(session)
        yield session
