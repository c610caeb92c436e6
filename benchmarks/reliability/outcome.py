"""What a probe hands back: trials, failed trials and the worst violation seen, in budget.

Every probe gets a `ProbeContext` (its time budget, quick mode, a seed, a scratch folder,
the PostgreSQL admin URL) and returns a `ProbeResult` built by a `Tally`: one
`trial(violations)` per trial; a trial with any violation is a failure, and the
violation of highest severity (the first among equals) becomes the table's detail.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Severities, worst last: what the table's detail column prefers to show.
INCOMPLETE, WRONG, DAMAGE = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant: how bad (`severity`) and an example in words."""

    severity: int
    text: str


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    trials: int
    failures: int
    detail: str = ""
    error: str | None = None  # the probe itself broke: no verdict on syncd
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "ERROR"
        if self.failures:
            return "FAIL"
        return "pass" if self.trials else "no trial"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


@dataclass(slots=True)
class Tally:
    """Counts trials and failed trials; keeps the worst violation as the example."""

    name: str
    trials: int = 0
    failures: int = 0
    worst: Violation | None = None
    notes: Counter[str] = field(default_factory=Counter)  # what the trials did, for the table
    echo: Callable[[str], None] | None = None  # every violation, as found (--verbose)

    def trial(self, violations: Iterable[Violation]) -> bool:
        """Record one trial; True when it held every invariant."""
        found = list(violations)
        self.trials += 1
        if self.echo is not None:
            for violation in found:
                self.echo(f"trial {self.trials}: {violation.text}")
        if not found:
            return True
        self.failures += 1
        top = max(found, key=lambda v: v.severity)
        if self.worst is None or top.severity > self.worst.severity:
            self.worst = top
        return False

    def note(self, what: str, n: int = 1) -> None:
        """Count something the trials did ("faults injected"); shown when nothing failed."""
        self.notes[what] += n

    def result(self, seconds: float) -> ProbeResult:
        done = ", ".join(f"{n:,} {what}" for what, n in self.notes.items())
        detail = self.worst.text if self.worst else done
        return ProbeResult(self.name, self.trials, self.failures, detail, seconds=seconds)


@dataclass(frozen=True, slots=True)
class ProbeContext:
    """What the campaign gives a probe: its budget (seconds), mode and a scratch folder."""

    seconds: float
    quick: bool
    seed: int
    workdir: Path
    postgres_admin: str
    verbose: bool = False
    started: float = field(default_factory=time.monotonic)

    def tally(self, name: str) -> Tally:
        return Tally(name, echo=self.say if self.verbose else None)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def more(self, trials_done: int, per_trial: float, minimum: int = 1) -> bool:
        """Whether another trial fits: always up to `minimum`, then while the budget lasts
        for one more trial of about `per_trial` seconds."""
        if trials_done < minimum:
            return True
        return self.left() >= per_trial

    def say(self, message: str) -> None:
        """A progress line on stderr (the table goes to stdout)."""
        print(f"  [{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)


def average(total_seconds: float, count: int, fallback: float) -> float:
    return total_seconds / count if count else fallback
