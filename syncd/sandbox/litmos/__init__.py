"""The Litmos simulator: the /v1.svc API of docs/lms/litmos.md, rule for rule.

`LitmosSimulator` is a WSGI app (use `.transport()` in-process, or
`syncd.sandbox.serve` on a loopback port) with a per-key rolling rate limit on
an injected clock, seeding helpers, a comparable `snapshot()` and a JSON dump/load.
"""

from syncd.sandbox.litmos.app import LitmosSimulator
from syncd.sandbox.litmos.state import LitmosSnapshot

__all__ = ["LitmosSimulator", "LitmosSnapshot"]
