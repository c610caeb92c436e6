"""The Docebo simulator: the API of docs/lms/docebo.md, rule for rule.

`DoceboSimulator` is a WSGI app (use `.transport()` in-process, or
`syncd.sandbox.serve` on a loopback port) with seeding helpers, a comparable
`snapshot()` and a JSON `dump_state()`/`load_state()`; `api_era` ("modern" or
"2017", in API_ERAS) picks the API it serves.
"""

from syncd.sandbox.docebo.app import DoceboSimulator
from syncd.sandbox.docebo.records import API_ERAS, ApiEra, DoceboSnapshot

__all__ = ["API_ERAS", "ApiEra", "DoceboSimulator", "DoceboSnapshot"]
