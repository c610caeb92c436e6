"""Smoke test of `python -m benchmarks --quick`: it runs over all four LMSs, prints its
tables, every cycle leaves the LMS as HR wants it, and the no-change cycle writes nothing.
Timings and ratios are the benchmark's to print, never asserted."""

from __future__ import annotations

import pytest

from benchmarks.cli import main, parse_args

LMSS = ("docebo", "dokeos", "coursepath", "litmos")


@pytest.mark.slow
def test_quick_benchmark_covers_every_lms_and_the_quiet_cycles_write_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--quick"])

    out = capsys.readouterr().out
    assert code == 0, out
    for heading in (
        "wall time (s) by phase",
        "SQL statements by phase",
        "HTTP requests of 'first sync' by family: syncd, the independent minimum, the peer",
        "== summary: requests and writes against the independent minimum ==",
        "pure diff",
        "checks: all passed",
    ):
        assert heading in out
    assert "RED" not in out
    assert "the peer's: red" not in out
    summary = out[out.index("== summary") : out.index("== pure diff")].splitlines()
    # LMS, people, the cycle's two words, requests, minimum, ratio, writes... ("!" flags left out)
    rows = [[t for t in line.split() if t != "!"] for line in summary]
    rows = [row for row in rows if row and row[0] in LMSS]
    assert [row[0] for row in rows] == [lms for lms in LMSS for _ in range(3)]
    for row in rows:
        cycle, writes = " ".join(row[2:4]), int(row[7].replace(",", ""))
        assert cycle in {"first sync", "no change", "churn 2%"}
        assert (writes == 0) == (cycle == "no change"), row
        assert "ok" in row


def test_the_default_run_is_what_the_issue_measures() -> None:
    runs = [(r.lms, r.people, r.first_only, r.scale) for r in parse_args([]).runs]

    assert runs == [
        ("docebo", 2000, False, False),
        ("docebo", 10000, False, False),
        ("docebo", 100000, False, True),
        ("dokeos", 1000, False, False),
        ("coursepath", 1000, False, False),
        ("litmos", 1000, False, False),
        ("litmos", 10000, True, False),
    ]


def test_sizes_per_lms_and_a_first_load_only() -> None:
    args = parse_args(
        ["--lms", "litmos,docebo", "--size", "litmos=300:first,100", "--people", "50"]
    )

    assert [(r.lms, r.people, r.first_only) for r in args.runs] == [
        ("litmos", 100, False),
        ("litmos", 300, True),
        ("docebo", 50, False),
    ]
