"""One measurement of `diffbench.py`, run in a fresh interpreter so that its peak RSS is its own:
`python -m benchmarks.diffprobe diff|scan URL TARGET` prints JSON (CPU seconds, peak RSS
MiB, operations by kind).

`diff` streams the plan of TARGET (`syncd.reconcile.stream.stream_plan`, as the cycle's
plan stage calls it) and counts its operations. `scan` reads the same tables, each in its
primary key's order, and only iterates the rows: the floor any diff of them stands on.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Table, select

from syncd.reconcile.diff import DiffPolicy
from syncd.reconcile.stream import stream_plan
from syncd.store import Database, unit_of_work
from syncd.store.schema import (
    Base,
    DesiredEnrollmentRow,
    DesiredGroupRow,
    DesiredMembershipRow,
    LinkRow,
    PersonRow,
    table_of,
)
from syncd.store.shadow import SHADOW_MODELS

DOCEBO = DiffPolicy(natural_keys=("username", "email"))  # what the Docebo connector declares
MIRROR = (PersonRow, DesiredGroupRow, DesiredMembershipRow, DesiredEnrollmentRow)


def plan_counts(db: Database, target: str) -> dict[str, int]:
    with db.session() as session, unit_of_work(session):
        stream = stream_plan(session, target, DOCEBO)
        counts = Counter(op.KIND for op in stream.ops)
    return {kind.value: n for kind, n in counts.items()}


def scan(db: Database, target: str) -> dict[str, int]:
    """Every row the diff reads, in key order, iterated and dropped."""
    with db.session() as session:
        for mirrored in MIRROR:
            _iterate(session, table_of(mirrored), None)
        shadow: list[type[Base]] = [*SHADOW_MODELS.values(), LinkRow]
        for model in shadow:
            _iterate(session, table_of(model), target)
    return {}


def _iterate(session: object, table: Table, target: str | None) -> None:
    query = select(table).order_by(*table.primary_key.columns)
    if target is not None:
        query = query.where(table.c.target == target)
    for _ in session.execute(query):  # type: ignore[attr-defined]
        pass


def main(argv: list[str]) -> None:
    what, url, target = argv
    db = Database(url)
    started = time.process_time()
    ops = plan_counts(db, target) if what == "diff" else scan(db, target)
    cpu = time.process_time() - started
    print(json.dumps({"cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(), "ops": ops}))


def peak_rss_mb() -> float:
    """This process's own high-water mark (`VmHWM`): `ru_maxrss` carries the parent's over
    `exec`, so a probe started by a large parent would report the parent's."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    main(sys.argv[1:])
