"""A client-side rolling-window rate limiter on the injected clock.

`RollingLimiter.acquire` is called before every request the Litmos client sends: it
sleeps (on the clock) until fewer than `limit` requests were sent in the last `window`
seconds, so normal operation never meets Litmos's 503. `wait_out` is for when one comes.
Litmos counts per api key, not per connection: `shared` hands every connector of one
account and clock the same limiter, so a cycle starting right after another (the daemon,
or a second target on the same key) counts the requests the earlier one sent.
"""

from __future__ import annotations

import threading
from collections import deque

from syncd import metrics
from syncd.clock import Clock


class RollingLimiter:
    """At most `limit` acquisitions in any `window` seconds of `clock.monotonic()`."""

    def __init__(self, clock: Clock, limit: int, window: float = 60.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self._clock = clock
        self._limit = limit
        self._window = window
        self._sent: deque[float] = deque()

    @property
    def settings(self) -> tuple[int, float]:
        return self._limit, self._window

    def acquire(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        self._forget()
        if len(self._sent) >= self._limit:
            self._wait(self._sent[0] + self._window - self._clock.monotonic())
            self._forget()
        self._sent.append(self._clock.monotonic())

    def wait_out(self) -> None:
        """The server said the window is full: sleep until the oldest request in it is a
        window old (a whole window when none is known)."""
        self._forget()
        now = self._clock.monotonic()
        oldest = self._sent[0] if self._sent else now
        self._wait(max(0.0, oldest + self._window - now))
        self._forget()

    def _wait(self, seconds: float) -> None:
        metrics.rate_limit_waited(seconds)  # counted for the target whose cycle waits
        self._clock.sleep(seconds)

    def _forget(self) -> None:
        edge = self._clock.monotonic() - self._window
        while self._sent and self._sent[0] <= edge:
            self._sent.popleft()


_SHARED: dict[tuple[int, str, str], tuple[Clock, RollingLimiter]] = {}
_SHARED_LOCK = threading.Lock()


def shared(clock: Clock, account: tuple[str, str], limit: int, window: float) -> RollingLimiter:
    """The limiter of `account` (base URL, api key) on `clock`, made on first use; a new
    one when the limit or window changed. Shared per clock object (a Runtime has one, for
    all its cycles); the clock is kept with its limiter, so that its id is never reused."""
    key = (id(clock), *account)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None or found[1].settings != (limit, window):
            found = (clock, RollingLimiter(clock, limit, window))
            _SHARED[key] = found
        return found[1]
