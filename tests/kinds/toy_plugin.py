"""`pytest -p tests.kinds.toy_plugin`: the toy kind registered for the whole session.

Registered when pytest loads the plugin, before any conftest or test module, so every
suite parametrised over `syncd.kinds.registered()` collects it as a fifth LMS
(`test_a_fifth_kind.py` runs them so).
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from syncd.kinds import register
from tests.kinds.toy import TOY

# At import, before any conftest: suites may list the kinds when their modules load.
_held = ExitStack()
_held.enter_context(register(TOY))


def pytest_unconfigure(config: pytest.Config) -> None:
    _held.close()
