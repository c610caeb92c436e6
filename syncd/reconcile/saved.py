"""A saved plan held against the world as `syncd apply` finds it. Pure.

`syncd plan --out` keeps, beside the plan, what it was made from (`store/fingerprints.py`):
every row of HR's mirror and of each target's shadow and links, as digests. `apply` reads
HR and each target again and applies the saved operations only where nothing differs and
the plan syncd makes now is the saved one, operation for operation. Anything else is
refused, naming what changed, so that what runs is exactly what was reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from syncd.errors import SyncdError
from syncd.operations import FieldValue, Operation, OpKind, changes, shown_key

SHOWN = 10  # keys named per part and change; the rest are counted
Objects = Mapping[str, Mapping[str, str]]  # part -> key -> digest (`store/fingerprints.py`)


class PlanStaleError(SyncdError):
    """The saved plan no longer fits the world: nothing of it is applied."""


@dataclass(frozen=True, slots=True)
class SavedOperation:
    kind: OpKind
    key: str
    changes: Mapping[str, FieldValue]

    @classmethod
    def of(cls, op: Operation) -> SavedOperation:
        return cls(op.KIND, shown_key(op.KIND, op.key), changes(op))


@dataclass(frozen=True, slots=True)
class SavedTarget:
    """One target's part of a saved plan: what its plan was made from, its operations, and
    the kinds to apply now (`--only`; empty: every kind)."""

    objects: Objects
    operations: tuple[SavedOperation, ...]
    only: frozenset[OpKind] = frozenset()
    fingerprints: tuple[str, str] = ("", "")  # the digests of HR's and this target's objects

    def applies(self, kind: OpKind) -> bool:
        return not self.only or kind in self.only


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A saved plan as `syncd apply` takes it: HR's fingerprint and each target's part."""

    hr: Objects
    targets: Mapping[str, SavedTarget]


def differences(saved: Objects, now: Objects) -> list[str]:
    """What changed between two fingerprints, part by part: `people: 1 changed (E1002)`."""
    said: list[str] = []
    for part in sorted(saved.keys() | now.keys()):
        before, after = saved.get(part, {}), now.get(part, {})
        added = sorted(after.keys() - before.keys())
        removed = sorted(before.keys() - after.keys())
        changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
        found = [(what, keys) for what, keys in _named(added, changed, removed) if keys]
        if found:
            said.append(f"{part}: " + ", ".join(_listed(what, keys) for what, keys in found))
    return said


def _named(
    added: list[str], changed: list[str], removed: list[str]
) -> tuple[tuple[str, list[str]], ...]:
    return ("added", added), ("changed", changed), ("removed", removed)


def _listed(what: str, keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:SHOWN]) + (
        f" and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
    )
    return f"{len(keys)} {what} ({shown})"


def check_world(where: str, saved: Objects, now: Objects) -> None:
    """Refuse, naming what changed, unless `now` is what the plan was made from."""
    changed = differences(saved, now)
    if changed:
        raise PlanStaleError(
            f"{where} changed since the plan was saved: {'; '.join(changed)}. "
            "Nothing was applied: make a new plan (syncd plan --out FILE) and review it."
        )


def check_plan(where: str, saved: Sequence[SavedOperation], ops: Iterable[Operation]) -> None:
    """Refuse unless the plan made now is the saved one, operation for operation."""
    now = [SavedOperation.of(op) for op in ops]
    if now == list(saved):
        return
    extra = [f"{o.kind} {o.key}" for o in now if o not in saved]
    missing = [f"{o.kind} {o.key}" for o in saved if o not in now]
    said = [_listed("new", extra) if extra else "", _listed("gone", missing) if missing else ""]
    raise PlanStaleError(
        f"{where}: the plan syncd makes now differs from the saved one "
        f"({'; '.join(s for s in said if s) or 'the same operations in another order'}). "
        "Nothing was applied: make a new plan and review it."
    )
