"""The Coursepath simulator as the demo meets it: the demo catalog, the member the
sandbox's JWTs act as, plain HTTP admitted on loopback (for `syncd sandbox`), and the
`[[targets]]` keys of `config/syncd.toml` that reach it."""

from __future__ import annotations

import time

from syncd.sandbox.coursepath.app import CoursepathSimulator
from syncd.sandbox.demo import DEMO_COURSES, Demo
from syncd.sandbox.faults import Clock

ACTOR = "api@acme.example"  # the member the sandbox's JWTs act as

TARGET = {
    "base_url": "https://coursepath.sandbox.invalid",
    "jwt_secret": "sandbox-coursepath-secret",
    "acting_email": ACTOR,
}


def simulator(clock: Clock = time.time) -> CoursepathSimulator:
    """A Coursepath academy holding the demo courses and the acting member, on `clock`."""
    coursepath = CoursepathSimulator(clock=clock, allow_plain_http_on_loopback=True)
    for code, name in DEMO_COURSES:
        coursepath.seed_course(code, name)
    coursepath.seed_member(ACTOR, "API Admin")
    return coursepath


DEMO = Demo(simulator, TARGET)
