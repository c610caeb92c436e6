"""The values a cycle's stages hand on, and the report assembled from them at the end.

`reconcile/cycle.py` makes them; the runtime and the CLI read `TargetReport` (the
contract's plan JSON and run output are rendered from it by `cli/render.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from syncd.keys import Links
from syncd.operations import FieldValue, OpKind
from syncd.reconcile.courses import CourseCodes
from syncd.reconcile.diff import Plan
from syncd.reconcile.readback import ReadbackReport
from syncd.records import Group, GroupRef, RemoteState
from syncd.statuses import RunStatus
from syncd.store import journal
from syncd.store.journal import OpStatus


@dataclass(frozen=True, slots=True)
class OperationReport:
    kind: OpKind
    key: str
    changes: dict[str, FieldValue]
    status: OpStatus
    error: str | None
    before: dict[str, FieldValue] = field(default_factory=dict)  # what `changes` overwrite
    side_effects: Mapping[str, int] = field(default_factory=dict)  # what the LMS does of itself


@dataclass(frozen=True, slots=True)
class TargetReport:
    """One target's run as the CLI prints it, assembled once when the run ends."""

    name: str
    kind: str
    status: RunStatus
    counts: Mapping[str, int] = field(default_factory=dict)
    operations: tuple[OperationReport, ...] = ()
    message: str | None = None
    run_id: int | None = None
    drift: int = 0  # HR-owned values found changed by hand in the LMS, put back by this plan
    readback: ReadbackReport | None = None
    # What the plan makes the LMS do on its own (`Effect` value -> count), and which of
    # those effects its API has no switch for.
    side_effects: Mapping[str, int] = field(default_factory=dict)
    no_switch: tuple[str, ...] = ()

    @property
    def fine(self) -> bool:
        return self.status.fine


@dataclass(frozen=True, slots=True)
class Started:
    run_id: int
    recovered: journal.Recovered


@dataclass(frozen=True, slots=True)
class Fetched:
    remote: RemoteState  # its groups and courses and how whole the read was (`load_remote_frame`)
    groups: Mapping[GroupRef, Group]  # HR's groups; people and the rest stay in the store
    courses: CourseCodes  # the target's course table over what the read found
    error: str | None  # why the read broke off, if it did


@dataclass(frozen=True, slots=True)
class Planned:
    ops: Plan
    links: Links  # users' and groups' links (the refs of an apply), and those drift needs
    drift: int
    notes: tuple[str | None, ...]  # what the run's message says about the plan


@dataclass(frozen=True, slots=True)
class ReadBack:
    report: ReadbackReport | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Ending:
    """How the stages ended: the status, the message, and what was planned, if anything."""

    status: RunStatus
    message: str | None
    planned: Planned | None = None
    readback: ReadbackReport | None = None


def report_of(entry: journal.Entry, effects: Mapping[str, int] | None = None) -> OperationReport:
    """A journaled operation as the report shows it."""
    return OperationReport(
        entry.kind,
        entry.shown_key,
        dict(entry.payload),
        entry.status,
        entry.error,
        dict(entry.before),
        dict(effects or {}),
    )
