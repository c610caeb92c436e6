"""Cross-process locks: one writer per target lane, one HR import at a time.

PostgreSQL: a session-level advisory lock on a dedicated connection, so replicas
share targets and fail over without two writers. SQLite is one process by
design: a file lock beside the database stops a second process on the same file.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

POLL_SECONDS = 0.2
_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    digest = hashlib.blake2b(f"syncd:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def held(engine: Engine, name: str, *, wait_seconds: float) -> Iterator[bool]:
    """Hold the named lock for the block; yields False if it could not be had in time."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name, wait_seconds) as acquired:
            yield acquired
    else:
        with _file_lock(engine, name, wait_seconds) as acquired:
            yield acquired


@contextmanager
def _advisory(engine: Engine, name: str, wait_seconds: float) -> Iterator[bool]:
    key = lock_key(name)
    with engine.connect() as conn:
        acquired = _poll(
            lambda: bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            ),
            wait_seconds,
        )
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


@contextmanager
def _file_lock(engine: Engine, name: str, wait_seconds: float) -> Iterator[bool]:
    path = _lock_path(engine, name)
    if path is None:
        with _thread_lock(name, wait_seconds) as acquired:
            yield acquired
        return
    with path.open("a+") as handle:
        acquired = _poll(lambda: _try_flock(handle.fileno()), wait_seconds)
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


def _poll(try_once: Callable[[], bool], wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while not try_once():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True
