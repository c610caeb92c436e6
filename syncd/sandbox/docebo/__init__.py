"""The Docebo simulator: the API of docs/lms/docebo.md, rule for rule.

`DoceboSimulator` is a WSGI app (use `.transport()` in-process, or
`syncd.sandbox.serve` on a loopback port) with seeding helpers, a comparable
`snapshot()` and a JSON `dump_state()`/`load_state()`.
"""

from syncd.sandbox.docebo.app import DoceboSimulator
from syncd.sandbox.docebo.records import DoceboSnapshot

__all__ = ["DoceboSimulator", "DoceboSnapshot"]
