"""Smoke test of `python -m benchmarks.reliability --quick`: each probe runs in-process for a
few seconds against the simulators (and, where it needs them, real syncd processes) and
must report at least one trial and no failure. The full campaign is `make reliability`."""

from __future__ import annotations

import pytest

from benchmarks.reliability.campaign import PROBES, campaign, parse_args

NEEDS_PROCESSES = {"sigkill", "lock_fencing", "completions", "secrets", "signals"}


def _marks(name: str) -> list[pytest.MarkDecorator]:
    marks = [pytest.mark.slow] if name in NEEDS_PROCESSES else []
    return [*marks, pytest.mark.postgres] if name == "lock_fencing" else marks


@pytest.mark.parametrize("probe", [pytest.param(name, marks=_marks(name)) for name in PROBES])
def test_quick_probe_finds_no_failure(probe: str) -> None:
    (result,) = campaign(parse_args(["--quick", "--probe", probe, "--seed", "1"]))

    assert result.error is None, result.error
    assert result.trials > 0
    assert result.failures == 0, f"{result.failures} of {result.trials} failed: {result.detail}"
    assert result.verdict == "pass"
