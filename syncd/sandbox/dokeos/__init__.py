"""The Dokeos simulator: the API V2 of docs/lms/dokeos.md, rule for rule.

`DokeosSimulator` is a WSGI app (use `.transport()` in-process, or
`syncd.sandbox.serve` on a loopback port) with job knobs on an injected
clock, seeding helpers, a comparable `snapshot()` and a JSON dump/load.
"""

from syncd.sandbox.dokeos.app import DokeosSimulator
from syncd.sandbox.dokeos.records import DokeosSnapshot

__all__ = ["DokeosSimulator", "DokeosSnapshot"]
