"""Deterministic fault knobs and the concurrency detector of the sandbox.

`FaultKnobs` decides, before routing, whether a request is redirected,
failed or rate limited (on the injected clock; no dice) and how long calls
sleep. `SerialGuard` spots two calls of a "serial" set in flight at once;
`ManualClock` is the clock tests inject.
FaultKnobs is not locked: the app calls it under its state lock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


class ManualClock:
    """A clock that only moves when told (`advance`); inject it for tests."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    @property
    def now(self) -> float:
        return self()


@dataclass(frozen=True, slots=True)
class Fault:
    """What a knob answers instead of the route: a status, maybe Retry-After."""

    status: int
    retry_after: int | None = None
    body: object = None


@dataclass(slots=True)
class _Rule:
    remaining: int
    fault: Fault
    path_prefix: str | None

    def applies(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass(frozen=True, slots=True)
class _RateLimit:
    max_requests: int
    per_seconds: float
    retry_after: bool


class FaultKnobs:
    """Queued failures and redirects, a rolling-window rate limit, latency."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.clear()

    def clear(self) -> None:
        self._redirects: list[_Rule] = []
        self._failures: list[_Rule] = []
        self._limit: _RateLimit | None = None
        self._admitted: deque[float] = deque()
        self._latency = 0.0
        self._latency_serial_only = True

    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: int | None = None,
        path_prefix: str | None = None,
        body: object = None,
    ) -> None:
        _positive(n, "n")
        fault = Fault(status=status, retry_after=retry_after, body=body)
        self._failures.append(_Rule(remaining=n, fault=fault, path_prefix=path_prefix))

    def redirect_next(self, n: int, path_prefix: str | None = None) -> None:
        _positive(n, "n")
        self._redirects.append(_Rule(remaining=n, fault=Fault(307), path_prefix=path_prefix))

    def rate_limit(self, max_requests: int, per_seconds: float, retry_after: bool) -> None:
        _positive(max_requests, "max_requests")
        if per_seconds <= 0:
            raise ValueError("per_seconds must be positive")
        self._limit = _RateLimit(max_requests, per_seconds, retry_after)
        self._admitted.clear()

    def no_rate_limit(self) -> None:
        self._limit = None
        self._admitted.clear()

    def latency(self, seconds: float, serial_only: bool = True) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self._latency = seconds
        self._latency_serial_only = serial_only

    def delay_for(self, serial: bool) -> float:
        """Seconds a routed call sleeps before its handler runs."""
        return self._latency if serial or not self._latency_serial_only else 0.0

    def check(self, path: str) -> Fault | None:
        """The fault this request gets, in order: redirect, failure, rate limit."""
        return _take(self._redirects, path) or _take(self._failures, path) or self._rate()

    def _rate(self) -> Fault | None:
        if self._limit is None:
            return None
        now = self._clock()
        while self._admitted and self._admitted[0] <= now - self._limit.per_seconds:
            self._admitted.popleft()
        if len(self._admitted) < self._limit.max_requests:
            self._admitted.append(now)
            return None
        wait = self._admitted[0] + self._limit.per_seconds - now
        return Fault(429, max(1, math.ceil(wait)) if self._limit.retry_after else None)


@dataclass(frozen=True, slots=True)
class SerialViolation:
    """A serial call that arrived while another one was still being served."""

    method: str
    path: str
    in_flight_method: str
    in_flight_path: str
    at: float


class SerialGuard:
    """Admits one call of the serial set at a time; records every overlap."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: tuple[str, str] | None = None
        self._violations: list[SerialViolation] = []

    @property
    def violations(self) -> list[SerialViolation]:
        with self._lock:
            return list(self._violations)

    def enter(self, method: str, path: str) -> bool:
        """Mark a call in flight; False (and a violation) if one already is."""
        with self._lock:
            if self._in_flight is None:
                self._in_flight = (method, path)
                return True
            other_method, other_path = self._in_flight
            violation = SerialViolation(method, path, other_method, other_path, self._clock())
            self._violations.append(violation)
            return False

    def leave(self) -> None:
        with self._lock:
            self._in_flight = None

    def clear(self) -> None:
        with self._lock:
            self._violations.clear()


def _take(rules: list[_Rule], path: str) -> Fault | None:
    for rule in rules:
        if rule.applies(path):
            rule.remaining -= 1
            if rule.remaining == 0:
                rules.remove(rule)
            return rule.fault
    return None


def _positive(value: int, name: str) -> None:
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
