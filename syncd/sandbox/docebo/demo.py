"""The Docebo simulator as the demo meets it: the demo catalog, the sandbox's credentials,
and the `[[targets]]` keys of `config/syncd.toml` that reach it."""

from __future__ import annotations

import time

from syncd.sandbox.demo import DEMO_COURSES, Demo
from syncd.sandbox.docebo.app import DoceboSimulator
from syncd.sandbox.faults import Clock

TARGET = {
    "base_url": "https://docebo.sandbox.invalid",
    "client_id": "syncd-sandbox",
    "client_secret": "sandbox-secret",
    "username": "api-admin",
    "password": "sandbox-password",
}


def simulator(clock: Clock = time.time) -> DoceboSimulator:
    """A Docebo platform holding the demo courses, on `clock`."""
    docebo = DoceboSimulator(clock=clock)
    for code, name in DEMO_COURSES:
        docebo.seed_course(code, name)
    return docebo


DEMO = Demo(simulator, TARGET)
