"""A toy fifth LMS: Docebo's connector and simulator registered under the kind "toy".

`tests/kinds/test_a_fifth_kind.py` registers it for a block; `tests.kinds.toy_plugin`
registers it for a whole pytest session, so that the suites parametrised over the
registered kinds (the connector contract, the end-to-end scenarios) take it too.
"""

from __future__ import annotations

from typing import Literal

from syncd.connectors import docebo
from syncd.connectors.docebo.settings import DoceboTarget
from syncd.kinds import LmsKind
from syncd.sandbox.docebo.demo import DEMO as DOCEBO_DEMO


class ToyTarget(DoceboTarget):
    kind: Literal["toy"] = "toy"  # type: ignore[assignment]


TOY = LmsKind("toy", ToyTarget, docebo.factory, DOCEBO_DEMO, 4)
