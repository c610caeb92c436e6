"""Faithful simulators of the LMS APIs syncd speaks, for tests and `syncd sandbox`.

Each simulator is a WSGI app built on `syncd.sandbox.core.SimulatorApp`
(routing, request log, deterministic fault knobs, a guard for serial calls);
use it in-process through `.transport()` or serve it on loopback with `serve`.
"""

from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.docebo import DoceboSimulator
from syncd.sandbox.dokeos import DokeosSimulator
from syncd.sandbox.litmos import LitmosSimulator
from syncd.sandbox.registry import DEMO_COURSES, new_simulator, serve_all
from syncd.sandbox.server import RunningServer, serve

__all__ = [
    "DEMO_COURSES",
    "CoursepathSimulator",
    "DoceboSimulator",
    "DokeosSimulator",
    "LitmosSimulator",
    "RunningServer",
    "new_simulator",
    "serve",
    "serve_all",
]
