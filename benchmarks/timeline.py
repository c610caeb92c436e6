"""The phases of one cycle, read off the timeline of its HTTP requests.

syncd's cycle reads first (fetch), then computes and journals the plan without a
request, then writes (apply), then closes the run. So the fetch ends with the last
read before the first write, and apply spans the first write to the last one.
"""

from __future__ import annotations

from dataclasses import dataclass

PHASES = ("import", "fetch", "plan", "apply", "finish")


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    write: bool
    started: float
    finished: float


def phase_windows(
    calls: list[Call], start: float, imported: float, end: float
) -> dict[str, tuple[float, float]]:
    """(begin, end) of each phase: import, fetch, plan (diff + safety + journal), apply,
    finish (closing the run); a cycle without writes has no apply and plans until its end."""
    writes = [c for c in calls if c.write]
    first_write = writes[0].started if writes else end
    reads = [c for c in calls if not c.write and c.started < first_write]
    fetched = reads[-1].finished if reads else imported
    windows = {"import": (start, imported), "fetch": (imported, fetched)}
    if not writes:
        windows["plan"] = (fetched, end)
        return windows
    last_write = writes[-1].finished
    windows["plan"] = (fetched, first_write)
    windows["apply"] = (first_write, last_write)
    windows["finish"] = (last_write, end)
    return windows
