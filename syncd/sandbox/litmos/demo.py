"""The Litmos simulator as the demo meets it: the demo catalog, the sandbox's key, plain
HTTP admitted on loopback (for `syncd sandbox`), and the `[[targets]]` keys of
`config/syncd.toml` that reach it. Its rate limit is Litmos's own: 100 calls in any
rolling 60 s of `clock`."""

from __future__ import annotations

import time

from syncd.sandbox.demo import DEMO_COURSES, Demo
from syncd.sandbox.faults import Clock
from syncd.sandbox.litmos.app import LitmosSimulator

TARGET = {
    "base_url": "https://litmos.sandbox.invalid/v1.svc",
    "api_key": "sandbox-litmos-key",
    "source": "syncd",
}


def simulator(clock: Clock = time.time) -> LitmosSimulator:
    """A Litmos account holding the demo courses, on `clock`."""
    litmos = LitmosSimulator(clock=clock, allow_plain_http_on_loopback=True)
    for code, name in DEMO_COURSES:
        litmos.seed_course(code, name)
    return litmos


DEMO = Demo(simulator, TARGET)
