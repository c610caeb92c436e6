"""The campaign's one table: probe, trials, failures, verdict, and the worst example.

Pure formatting: `render(results)` returns the lines for the CLI to print; the detail
column is cut to `width` characters so the table stays one line per probe.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.reliability.outcome import ProbeResult

HEADERS = ("probe", "trials", "failures", "verdict", "detail (worst example)")


def render(results: Sequence[ProbeResult], width: int = 140) -> list[str]:
    rows = [
        (
            r.name,
            f"{r.trials:,}",
            f"{r.failures:,}",
            r.verdict,
            _cut(r.error if r.error is not None else r.detail or "-", width),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    right = (False, True, True, False, False)
    lines = [_line(HEADERS, widths, right), _line(tuple("-" * w for w in widths), widths, right)]
    lines += [_line(row, widths, right) for row in rows]
    return lines


def _line(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    parts = [
        cell.rjust(width) if r else cell.ljust(width)
        for cell, width, r in zip(cells, widths, right, strict=True)
    ]
    return "  ".join(parts).rstrip()


def _cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
