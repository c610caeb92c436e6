"""The Litmos simulator: the /v1.svc API of docs/lms/litmos.md, rule for rule.

`LitmosSimulator` is a WSGI app (use `.transport()` in-process, or
`syncd.sandbox.serve` on a loopback port) that validates every request against the
vendored OpenAPI document (spec/), with a per-key rolling rate limit on an injected
clock, seeding helpers, out-of-band edits, a comparable `snapshot()` and a JSON dump/load.
"""

from syncd.sandbox.litmos.app import LitmosSimulator
from syncd.sandbox.litmos.state import LitmosSnapshot, SentMessage
from syncd.sandbox.litmos.words import SEED_RATE_LIMITED, SPEC_RATE_LIMITED

__all__ = [
    "SEED_RATE_LIMITED",
    "SPEC_RATE_LIMITED",
    "LitmosSimulator",
    "LitmosSnapshot",
    "SentMessage",
]
