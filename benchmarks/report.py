"""The printed figures: plain-text tables of the cycle stages and of the pure diff.

Pure formatting, no measuring: `cycle_tables` renders one size's stages, `diff_table`
the diff runs; both return lines for the CLI to print.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from benchmarks.diffbench import DiffResult
from benchmarks.timeline import PHASES
from benchmarks.world import Stage

Cell = str | int | float


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], align: str = "l") -> list[str]:
    """Columns aligned by `align` ("l" or "r" per column, the last letter repeating);
    numbers with thousands commas."""
    cells = [list(headers)] + [[_text(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    sides = align + align[-1] * len(headers)
    lines = []
    for index, row in enumerate(cells):
        parts = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, sides, strict=False)
        ]
        lines.append("  " + "  ".join(parts).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def _text(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:,.2f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


def cycle_tables(stages: Sequence[Stage]) -> list[str]:
    lines = ["", "wall time (s) by phase; 'in sim' is time inside the simulator's handlers:"]
    lines += table(
        ["stage", "status", "HR import", "total", *PHASES, "in sim", "peak RSS MiB"],
        [
            [
                s.name,
                s.status,
                s.import_status,
                s.wall,
                *_phases(s.phases),
                s.sim_seconds,
                round(s.peak_rss_mb),
            ]
            for s in stages
        ],
        "lllr",
    )
    lines += ["", "SQL statements by phase:"]
    lines += table(
        ["stage", "total", *PHASES],
        [[s.name, sum(s.sql.values()), *(s.sql.get(p, "-") for p in PHASES)] for s in stages],
        "lr",
    )
    lines += ["", "plan (operations by kind):"]
    lines += [f"  {s.name:<12} {_ops(s.ops)}" for s in stages]
    lines += ["", "HTTP requests, actual / minimum the API allows (! where above):"]
    lines += _request_table(stages)
    return lines


def _phases(phases: dict[str, float]) -> list[Cell]:
    return [phases.get(p, "-") for p in PHASES]


def _ops(ops: dict[str, int]) -> str:
    if not ops:
        return "(empty plan)"
    return " · ".join(f"{kind} {count:,}" for kind, count in ops.items())


def _request_table(stages: Sequence[Stage]) -> list[str]:
    families = sorted({f for s in stages for f in (*s.requests, *s.minimum)}, key=_family_order)
    rows: list[list[Cell]] = [
        [f, *(_pair(s.requests[f], s.minimum[f]) for s in stages)] for f in families
    ]
    rows.append(["total", *(_pair(s.requests.total(), s.minimum.total()) for s in stages)])
    rows.append(["  of which writes", *(f"{s.writes:,}" for s in stages)])
    return table(["family", *(s.name for s in stages)], rows, "lr")


def _pair(actual: int, minimum: int) -> str:
    flag = " !" if actual > minimum else "  "
    return f"{actual:,} / {minimum:,}{flag}"


def _family_order(name: str) -> tuple[int, str]:
    method, _, path = name.partition(" ")
    return (
        {"POST": 1, "PUT": 2, "DELETE": 3}.get(method, 0) if path != "/oauth2/token" else -1,
        path,
    )


def diff_table(results: Sequence[DiffResult]) -> list[str]:
    lines = table(
        ["people", "case", "ops", "CPU s", "peak RSS MiB", "µs / person", "scan CPU s", "x scan"],
        [
            [
                r.people,
                r.case,
                r.total_ops,
                f"{r.seconds:.2f}",
                round(r.diff.peak_rss_mb),
                f"{r.seconds / r.people * 1e6:.1f}",
                f"{r.scan.cpu_seconds:.2f}",
                f"{r.ratio:.1f}",
            ]
            for r in results
        ],
        "rlr",
    )
    sizes = sorted({r.people for r in results})
    for small, large in itertools.pairwise(sizes):
        before = {r.case: r.seconds for r in results if r.people == small}
        ratios = [
            f"{r.case} x{r.seconds / before[r.case]:.1f}"
            for r in results
            if r.people == large and before.get(r.case)
        ]
        growth = f"{small:,} -> {large:,} people (x{large / small:g})"
        lines.append(f"  time grows {growth}: " + ", ".join(ratios))
    return lines
