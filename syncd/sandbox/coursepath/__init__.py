"""The Coursepath simulator: the `/api/v1/` API of docs/lms/coursepath.md, rule for rule.

`CoursepathSimulator` is a WSGI app (use `.transport()` with an `https://`
base URL in-process, or `syncd.sandbox.serve` on a loopback port with
`allow_plain_http_on_loopback=True`) with an injected clock for its JWT
checks, seeding helpers, a comparable `snapshot()` and a JSON dump/load.
"""

from syncd.sandbox.coursepath.app import CoursepathSimulator
from syncd.sandbox.coursepath.records import CoursepathSnapshot, Invitation

__all__ = ["CoursepathSimulator", "CoursepathSnapshot", "Invitation"]
