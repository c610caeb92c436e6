"""How far a long stage of a cycle has got, for whoever shows it.

The cycle keeps a `Tally` per stage: the records its fetch has read, by part, and the
operations its apply has worked through of those planned. A `Progress` shows a tally
while its stage runs: the CLI's line on a terminal, or nothing (`SILENT`, the default).
Counting costs one dict increment per record; showing happens elsewhere, at its own
pace, reading the counts as they stand.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from syncd.records import (
    RemoteCourse,
    RemoteEnrollment,
    RemoteGroup,
    RemoteMembership,
    RemotePart,
    RemoteUser,
)

PART_OF: dict[type, RemotePart] = {
    RemoteUser: RemotePart.USERS,
    RemoteGroup: RemotePart.GROUPS,
    RemoteMembership: RemotePart.MEMBERSHIPS,
    RemoteCourse: RemotePart.COURSES,
    RemoteEnrollment: RemotePart.ENROLLMENTS,
}


@dataclass(slots=True)
class Tally:
    """What one stage of one target has got through so far: a counter the stage bumps and
    a display reads, so mutable. `planned` is known for an apply, not for a fetch."""

    target: str
    stage: str  # fetch | apply
    planned: int | None = None
    done: int = 0  # operations worked through, whatever their outcome
    _read: defaultdict[type, int] = field(default_factory=lambda: defaultdict(int))

    def fetched(self, item: object) -> None:
        """One more item of the fetch, counted by its class (a `PartRead` is no record)."""
        self._read[type(item)] += 1

    def worked(self, operations: int) -> None:
        self.done += operations

    def read_by_part(self) -> list[tuple[RemotePart, int]]:
        """The records read so far, by part, in the order parts are read."""
        read = dict(self._read)  # one copy: the stage may add a class meanwhile
        return [(part, read[kind]) for kind, part in PART_OF.items() if kind in read]


class Progress(Protocol):
    def showing(self, tally: Tally) -> AbstractContextManager[object]:
        """Show `tally` for as long as the block runs its stage."""
        ...


class _Silent:
    """No display: off a terminal, in tests, in the daemon without one."""

    def showing(self, tally: Tally) -> AbstractContextManager[object]:
        return nullcontext()


SILENT: Progress = _Silent()
