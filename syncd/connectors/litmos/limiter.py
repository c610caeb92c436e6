"""A client-side rolling-window rate limiter on the injected clock.

`RollingLimiter.acquire` is called before every request the Litmos client sends: it
sleeps (on the clock) until fewer than `limit` requests were sent in the last `window`
seconds, so normal operation never meets Litmos's 503. `wait_out` is for when one comes.
"""

from __future__ import annotations

from collections import deque

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

    def acquire(self) -> None:
        """Wait until one more request fits in the window, then count it."""
        self._forget()
        if len(self._sent) >= self._limit:
            self._clock.sleep(self._sent[0] + self._window - self._clock.monotonic())
            self._forget()
        self._sent.append(self._clock.monotonic())

    def wait_out(self) -> None:
        """The server said the window is full: sleep until the oldest request in it is a
        window old (a whole window when none is known)."""
        self._forget()
        now = self._clock.monotonic()
        oldest = self._sent[0] if self._sent else now
        self._clock.sleep(max(0.0, oldest + self._window - now))
        self._forget()

    def _forget(self) -> None:
        edge = self._clock.monotonic() - self._window
        while self._sent and self._sent[0] <= edge:
            self._sent.popleft()
