"""The printed figures: plain-text tables of the cycle stages and of the pure diff.

Pure formatting, no measuring: `cycle_tables` renders one (LMS, size)'s stages, with
each cycle's requests by family beside the independent minimum and the per-record peer;
`summary_table` the ratios of every run side by side; `diff_table` the diff runs. All
return lines for the CLI to print.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from benchmarks.diffbench import DiffResult
from benchmarks.families import is_write, writes_of
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
    lines = ["", "wall time (s) by phase; 'in sim' is time inside the transport to the simulator:"]
    lines += table(
        ["stage", "status", "HR import", "total", *PHASES, "in sim"],
        [
            [s.name, s.status, s.import_status, s.wall, *_phases(s.phases), s.sim_seconds]
            for s in stages
        ],
        "lllr",
    )
    lines += [
        "",
        "CPU seconds (the cycle's, the simulator's and the transport's, syncd's own) and syncd's"
        " process's resident set (MiB: at the cycle's start, its peak during it):",
    ]
    lines += table(
        ["stage", "CPU", "in sim", "syncd CPU", "RSS at start", "peak RSS"],
        [
            [
                s.name,
                s.cpu_seconds,
                s.sim_cpu_seconds,
                s.syncd_cpu_seconds,
                round(s.rss_start_mb),
                round(s.peak_rss_mb),
            ]
            for s in stages
        ],
        "lr",
    )
    lines += ["", "SQL statements by phase:"]
    lines += table(
        ["stage", "total", *PHASES],
        [[s.name, sum(s.sql.values()), *(s.sql.get(p, "-") for p in PHASES)] for s in stages],
        "lr",
    )
    lines += ["", "plan (operations by kind):"]
    lines += [f"  {s.name:<12} {_ops(s.ops)}" for s in stages]
    for s in stages:
        lines += [
            "",
            f"HTTP requests of '{s.name}' by family: syncd, the independent minimum, the peer:",
        ]
        lines += family_table(s)
        lines.append("  " + state_line(s))
        if s.waited_seconds >= 1:
            lines.append(
                f"  the cycle's fake clock moved {s.waited_seconds:,.0f} s (rate-limit waits)"
            )
    return lines


def _phases(phases: dict[str, float]) -> list[Cell]:
    return [phases.get(p, "-") for p in PHASES]


def _ops(ops: dict[str, int]) -> str:
    if not ops:
        return "(empty plan)"
    return " · ".join(f"{kind} {count:,}" for kind, count in ops.items())


def family_table(stage: Stage) -> list[str]:
    """Each family's requests: syncd's, the minimum's, their ratio (! above 1.10 or, for
    a write family, 1.05), the peer's; then the totals and the writes."""
    names = {*stage.requests, *stage.minimum, *stage.peer}
    rows: list[list[Cell]] = []
    for name in sorted(names, key=_family_order):
        bound = WRITES_BOUND if is_write(name) else REQUESTS_BOUND
        actual, floor = stage.requests[name], stage.minimum[name]
        rows.append([name, actual, floor, ratio(actual, floor, bound), stage.peer[name]])
    total, floor = stage.requests.total(), stage.minimum.total()
    rows.append(["total", total, floor, ratio(total, floor, REQUESTS_BOUND), stage.peer.total()])
    writes, least = stage.writes, stage.minimum_writes
    peer = writes_of(stage.peer)
    rows.append(["  of which writes", writes, least, ratio(writes, least, WRITES_BOUND), peer])
    return table(["family", "syncd", "minimum", "ratio", "peer"], rows, "lr")


REQUESTS_BOUND, WRITES_BOUND = 1.10, 1.05


def ratio(actual: int, floor: int, bound: float) -> str:
    """actual / floor to two places, `!` above `bound`; `-` for 0 / 0, `inf !` for n / 0."""
    if floor == 0:
        return "-" if actual == 0 else "inf !"
    value = actual / floor
    return f"{value:.2f}" + (" !" if value > bound + 1e-9 else "")


def state_line(stage: Stage) -> str:
    mine = (
        "green (the LMS equals HR's desired state)"
        if not stage.state_check
        else ("RED: " + "; ".join(stage.state_check))
    )
    peer = "green" if not stage.peer_check else "red: " + "; ".join(stage.peer_check)
    return f"state check: {mine}; the peer's: {peer}"


def _peer(s: Stage) -> list[Cell]:
    """The peer's requests and their ratio to the minimum; "not run" where it did not run
    (the `:scale` runs)."""
    if not s.peer:
        return ["not run", "-"]
    return [s.peer.total(), ratio(s.peer.total(), s.minimum.total(), float("inf"))]


def summary_table(stages: Sequence[Stage]) -> list[str]:
    """One row per (LMS, size, cycle): requests and writes against the minimum, the peer,
    the state check, and for Litmos the real time its requests need at 100 a minute."""
    rows = [
        [
            s.kind,
            s.people,
            s.name,
            s.requests.total(),
            s.minimum.total(),
            ratio(s.requests.total(), s.minimum.total(), REQUESTS_BOUND),
            s.writes,
            s.minimum_writes,
            ratio(s.writes, s.minimum_writes, WRITES_BOUND),
            *_peer(s),
            "ok" if not s.state_check else "RED",
            _minutes(s),
        ]
        for s in stages
    ]
    headers = [
        "LMS",
        "people",
        "cycle",
        "requests",
        "minimum",
        "req/min",
        "writes",
        "min writes",
        "wr/min",
        "peer",
        "peer/min",
        "state",
        "min at 100/min (syncd/min/peer)",
    ]
    return table(headers, rows, "lrlr")


def _minutes(stage: Stage) -> str:
    """Litmos counts every request against 100 a rolling minute: the real time each set of
    requests needs at that rate (blank for the other LMSs)."""
    if stage.kind != "litmos":
        return ""
    counts = (stage.requests.total(), stage.minimum.total(), stage.peer.total())
    return " / ".join(f"{n / 100:,.1f}" for n in counts)


def _family_order(name: str) -> tuple[int, str]:
    method, _, path = name.partition(" ")
    return (
        {"POST": 1, "PUT": 2, "DELETE": 3}.get(method, 0)
        if not path.endswith("/oauth2/token")
        else -1,
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
