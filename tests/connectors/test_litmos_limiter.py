"""The Litmos client's rolling-window limiter, on a FakeClock (and once on the real one)."""

from __future__ import annotations

import time

import pytest

from syncd.clock import FakeClock, SystemClock
from syncd.connectors.litmos.limiter import RollingLimiter


def test_the_first_limit_requests_leave_at_once() -> None:
    clock = FakeClock()
    limiter = RollingLimiter(clock, 3, 60.0)
    for _ in range(3):
        limiter.acquire()
    assert clock.slept == []


def test_one_more_waits_until_the_oldest_is_a_window_old() -> None:
    clock = FakeClock()
    limiter = RollingLimiter(clock, 2, 60.0)
    limiter.acquire()
    clock.advance(10)
    limiter.acquire()
    limiter.acquire()
    assert clock.slept == [50.0]
    limiter.acquire()  # the second one (t=10) is now the oldest: 10 s more
    assert clock.slept == [50.0, 10.0]


def test_in_any_window_at_most_limit_requests_leave() -> None:
    clock = FakeClock()
    limiter = RollingLimiter(clock, 5, 60.0)
    sent: list[float] = []
    for _ in range(23):
        limiter.acquire()
        sent.append(clock.monotonic())
        clock.advance(1)
    assert all(sum(1 for t in sent if s <= t < s + 60) <= 5 for s in sent)


def test_wait_out_sleeps_until_the_oldest_leaves_or_a_whole_window() -> None:
    clock = FakeClock()
    limiter = RollingLimiter(clock, 100, 60.0)
    limiter.wait_out()
    assert clock.slept == [60.0]
    limiter.acquire()
    clock.advance(45)
    limiter.wait_out()
    assert clock.slept == [60.0, 15.0]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        RollingLimiter(FakeClock(), 0)


def test_on_the_real_clock_one_more_really_waits_out_the_window() -> None:
    """The one test on the system clock: a tiny window, so it costs a fifth of a second."""
    limiter = RollingLimiter(SystemClock(), 2, 0.2)
    started = time.monotonic()
    limiter.acquire()
    limiter.acquire()
    assert time.monotonic() - started < 0.1
    limiter.acquire()
    assert time.monotonic() - started >= 0.19
