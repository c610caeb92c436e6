"""The Dokeos simulator as the demo meets it: the demo catalog (as trainings), the
sandbox's token, and the `[[targets]]` keys of `config/syncd.toml` that reach it."""

from __future__ import annotations

import time

from syncd.sandbox.demo import DEMO_COURSES, Demo
from syncd.sandbox.dokeos.app import DokeosSimulator
from syncd.sandbox.faults import Clock

TARGET = {
    "base_url": "https://dokeos.sandbox.invalid",
    "api_token": "sandbox-dokeos-token",
}


def simulator(clock: Clock = time.time) -> DokeosSimulator:
    """A Dokeos API V2 portal holding the demo trainings, on `clock`."""
    dokeos = DokeosSimulator(clock=clock)
    for code, name in DEMO_COURSES:
        dokeos.seed_training(code, name)
    return dokeos


DEMO = Demo(simulator, TARGET)
