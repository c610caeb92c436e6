"""Smoke test of `python -m benchmarks --quick`: it runs, prints its tables, and the
no-change cycle writes nothing. Timings are the benchmark's to print, never asserted."""

from __future__ import annotations

import pytest

from benchmarks.cli import main


@pytest.mark.slow
def test_quick_benchmark_prints_the_tables_and_the_quiet_cycle_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--quick"])

    out = capsys.readouterr().out
    assert code == 0, out
    for heading in (
        "wall time (s) by phase",
        "SQL statements by phase",
        "HTTP requests",
        "pure diff",
        "checks: all passed",
    ):
        assert heading in out
    stages = next(line for line in out.splitlines() if line.strip().startswith("family"))
    assert stages.split()[1:] == ["first", "sync", "no", "change", "churn", "2%"]
    writes = next(line for line in out.splitlines() if "of which writes" in line)
    first, quiet, churn = writes.split()[-3:]
    assert quiet == "0"
    assert int(first.replace(",", "")) > 0
    assert int(churn.replace(",", "")) > 0
    assert "no change    (empty plan)" in out
