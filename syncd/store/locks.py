"""Cross-process locks: one writer per target lane, one HR import at a time.

PostgreSQL: a session-level advisory lock on a dedicated connection, so replicas
share targets and fail over without two writers. SQLite is one process by
design: a file lock beside the database stops a second process on the same file.

A lock is held as a `Lease`. A PostgreSQL lock can be lost while its holder still
runs: a server restart, a failover, `idle_session_timeout` or a pooler ending the idle
connection releases it, and a second replica takes the lane. So the write path asks
the lease before every request (`Lease.check`, one round trip on the lock's own
connection, asking the server whether this session still holds the lock); a lost lock
raises `LockLostError` and the holder sends nothing more. A file or thread lock cannot
be lost while its process lives: checking it costs nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from syncd.errors import FatalError

log = structlog.get_logger()
POLL_SECONDS = 0.2
# Whether this session still holds the advisory lock: pg_locks shows a bigint key as its
# high and low 32 bits (classid, objid) with objsubid 1.
_STILL_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1"
    " AND classid::bigint = :high AND objid::bigint = :low"
)


class LockLostError(FatalError):
    """The lock was taken from its holder (its database session ended): stop writing."""


class Lease:
    """A lock as held: truthy when it was had; `check` raises once it is lost."""

    def __init__(self, name: str, acquired: bool, still_held: Callable[[], bool]) -> None:
        self.name, self.acquired, self._still_held = name, acquired, still_held

    def __bool__(self) -> bool:
        return self.acquired

    def check(self) -> None:
        if not (self.acquired and self._still_held()):
            raise LockLostError(
                f"lost the lock {self.name} (its database session ended); stopped before"
                " the next request so that no second writer overlaps"
            )


def _always() -> bool:
    return True


_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    digest = hashlib.blake2b(f"syncd:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def held(
    engine: Engine, name: str, *, wait_seconds: float, stop: threading.Event | None = None
) -> Iterator[Lease]:
    """Hold the named lock for the block; the lease is falsy if it could not be had in time
    (or `stop` was set while waiting for it)."""
    wait = _Wait(wait_seconds, stop)
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, wait) as lease:
            yield lease
    else:
        with _file_lock(engine, name, wait) as acquired:
            yield Lease(name, acquired, _always)


@dataclass(frozen=True, slots=True)
class _Wait:
    seconds: float
    stop: threading.Event | None = None


@contextmanager
def _advisory(engine: Engine, name: str, wait: _Wait) -> Iterator[Lease]:
    key = lock_key(name)
    with engine.connect() as conn:
        acquired = _poll(
            lambda: bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            ),
            wait,
        )
        conn.commit()
        try:
            yield Lease(name, acquired, lambda: _still_held(conn, key))
        finally:
            if acquired:
                _unlock(conn, name, key)


def _still_held(conn: Connection, key: int) -> bool:
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    try:
        found = conn.execute(_STILL_HELD, {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF})
        count = found.scalar()
        conn.commit()
    except SQLAlchemyError as err:
        log.warning("lock_connection_lost", error=type(err).__name__)
        return False
    return bool(count)


def _unlock(conn: Connection, name: str, key: int) -> None:
    """Release the lock; one whose session already ended was released by the server."""
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        conn.commit()
    except SQLAlchemyError as err:
        log.warning("lock_already_released", lock=name, error=type(err).__name__)
        conn.invalidate()


@contextmanager
def _file_lock(engine: Engine, name: str, wait: _Wait) -> Iterator[bool]:
    path = _lock_path(engine, name)
    if path is None:
        with _thread_lock(name, wait.seconds) as acquired:
            yield acquired
        return
    with path.open("a+") as handle:
        acquired = _poll(lambda: _try_flock(handle.fileno()), wait)
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _lock_path(engine: Engine, name: str) -> Path | None:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return None
    safe = hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
    return Path(f"{database}.{safe}.lock")


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _thread_lock(name: str, wait_seconds: float) -> Iterator[bool]:
    with _memory_guard:
        lock = _memory_locks.setdefault(name, threading.Lock())
    acquired = lock.acquire(timeout=wait_seconds) if wait_seconds > 0 else lock.acquire(False)
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


def _poll(try_once: Callable[[], bool], wait: _Wait) -> bool:
    deadline = time.monotonic() + wait.seconds
    while not try_once():
        if time.monotonic() >= deadline:
            return False
        if wait.stop is None:
            time.sleep(POLL_SECONDS)
        elif wait.stop.wait(POLL_SECONDS):
            return False
    return True
