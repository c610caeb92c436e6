"""How a target's run ended: the one set of words `sync_runs.status`, the report and the CLI use.

The cycle decides a run's status in one place (`reconcile/cycle.py`, `_status`); the
runtime adds the two a cycle never reaches (`busy`, and `interrupted` before a start).
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    RUNNING = "running"  # in progress, or left so by a process that died (recovered later)
    OK = "ok"
    PLANNED = "planned"  # a dry run: the plan was recorded, nothing sent
    PARTIAL = "partial"  # applied, some operations failed
    INCOMPLETE = "incomplete"  # the read broke off: what depends on the unread part waits
    FAILED = "failed"
    STOPPED = "stopped"  # the safety limits refused the plan
    INTERRUPTED = "interrupted"  # syncd was asked to stop, or its process stopped mid-run
    BUSY = "busy"  # another syncd process holds the target's lane

    @property
    def fine(self) -> bool:
        """Nothing for a person to look at (the exit code and the health check use it)."""
        return self in {RunStatus.OK, RunStatus.PLANNED, RunStatus.BUSY}
