"""Time as a dependency: the engine, the HTTP client and the job poller take a Clock,
so tests move time forward instead of sleeping.

Every wait syncd makes goes through `Clock.sleep`. Given the process's shutdown event,
a clock's sleep ends the moment a stop is requested (SIGTERM, SIGINT) and raises
`ShutdownRequestedError`, so a retry loop or a rate limiter waiting on it sends nothing more.
`FastForwardClock` is what an in-process sandbox runs on: a sleep skips ahead at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol

from syncd.errors import ShutdownRequestedError


class Clock(Protocol):
    def now(self) -> dt.datetime: ...
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock; with `shutdown`, its sleeps give way to a stop request."""

    def __init__(self, shutdown: threading.Event | None = None) -> None:
        self._shutdown = shutdown

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if self._shutdown is None:
            time.sleep(seconds)
        elif self._shutdown.wait(max(0.0, seconds)):
            raise _stopped(seconds)


class FakeClock:
    """A clock that only moves when told to (or when something sleeps on it); with
    `shutdown`, a sleep once it is set raises as the system clock's does."""

    def __init__(
        self, start: dt.datetime | None = None, *, shutdown: threading.Event | None = None
    ) -> None:
        self._now = start or dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
        self._mono = 1000.0
        self._shutdown = shutdown
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        if self._shutdown is not None and self._shutdown.is_set():
            raise _stopped(seconds)
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)
        self._mono += seconds


class FastForwardClock:
    """`base` moved ahead by every sleep made on it: a sleep returns at once, its seconds
    skipped. An in-process sandbox and the connector talking to it share one, so a rate
    limit is still counted and waited out, in no real time. With `shutdown`, a sleep once
    it is set raises as the system clock's does. Never goes back: it only skips forward."""

    def __init__(self, base: Clock, *, shutdown: threading.Event | None = None) -> None:
        self._base = base
        self._shutdown = shutdown
        self._skipped = 0.0
        self._lock = threading.Lock()

    @property
    def skipped(self) -> float:
        """The seconds all the sleeps so far have skipped."""
        with self._lock:
            return self._skipped

    def now(self) -> dt.datetime:
        return self._base.now() + dt.timedelta(seconds=self.skipped)

    def monotonic(self) -> float:
        return self._base.monotonic() + self.skipped

    def timestamp(self) -> float:
        """`now()` as POSIX seconds: the clock a simulator takes."""
        return self.now().timestamp()

    def sleep(self, seconds: float) -> None:
        if self._shutdown is not None and self._shutdown.is_set():
            raise _stopped(seconds)
        self.skip(seconds)

    def skip(self, seconds: float) -> None:
        with self._lock:
            self._skipped += max(0.0, seconds)

    def skip_to(self, moment: dt.datetime) -> None:
        """Catch up with `moment` if it is ahead (a sandbox's time saved by an earlier run)."""
        self.skip((moment - self.now()).total_seconds())


def _stopped(seconds: float) -> ShutdownRequestedError:
    return ShutdownRequestedError(
        f"syncd was asked to stop (a wait of {seconds:.0f}s was cut short)"
    )
