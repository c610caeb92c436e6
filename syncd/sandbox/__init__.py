"""Faithful simulators of the LMS APIs syncd speaks, for tests and `syncd sandbox`.

Each simulator is a WSGI app built on `syncd.sandbox.core.SimulatorApp`
(routing, request log, deterministic fault knobs, a guard for serial calls);
use it in-process through `.transport()` or serve it on loopback with `serve`.
Each package's `demo.py` stocks one for the demo; `syncd.kinds` registers them.
"""

from syncd.sandbox.coursepath import CoursepathSimulator
from syncd.sandbox.demo import DEMO_COURSES, Demo, ServedSimulator, Simulator
from syncd.sandbox.docebo import DoceboSimulator
from syncd.sandbox.dokeos import DokeosSimulator
from syncd.sandbox.litmos import LitmosSimulator
from syncd.sandbox.server import RunningServer, serve

__all__ = [
    "DEMO_COURSES",
    "CoursepathSimulator",
    "Demo",
    "DoceboSimulator",
    "DokeosSimulator",
    "LitmosSimulator",
    "RunningServer",
    "ServedSimulator",
    "Simulator",
    "serve",
]
