"""The clocks: the fast-forward clock an in-process sandbox and its connector share."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from syncd.clock import FakeClock, FastForwardClock
from syncd.errors import ShutdownRequestedError


def test_a_sleep_skips_its_seconds_at_once_on_every_reading() -> None:
    base = FakeClock()
    clock = FastForwardClock(base)
    start, mono, wall = clock.now(), clock.monotonic(), time.monotonic()
    clock.sleep(59.5)
    assert time.monotonic() - wall < 1.0
    assert clock.now() - start == dt.timedelta(seconds=59.5)
    assert clock.monotonic() - mono == 59.5
    assert clock.timestamp() == clock.now().timestamp()
    assert (clock.skipped, base.slept) == (59.5, [])


def test_it_runs_with_its_base_between_sleeps() -> None:
    base = FakeClock()
    clock = FastForwardClock(base)
    clock.sleep(10)
    base.advance(5)
    assert clock.now() == base.now() + dt.timedelta(seconds=10)


def test_skip_to_catches_up_with_a_later_moment_and_never_goes_back() -> None:
    clock = FastForwardClock(FakeClock())
    later = clock.now() + dt.timedelta(seconds=90)
    clock.skip_to(later)
    assert clock.now() == later
    clock.skip_to(later - dt.timedelta(seconds=30))
    clock.sleep(-5)
    assert clock.now() == later


def test_a_sleep_once_shutdown_is_set_raises() -> None:
    stop = threading.Event()
    clock = FastForwardClock(FakeClock(), shutdown=stop)
    clock.sleep(1)
    stop.set()
    with pytest.raises(ShutdownRequestedError):
        clock.sleep(60)
    assert clock.skipped == 1
