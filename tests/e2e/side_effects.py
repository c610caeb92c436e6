"""What a run's plan declared an LMS would do on its own, in the terms of the simulators'
`side_effects()` view: the engine's own totals (`syncd.reconcile.notes.effect_totals`)
over the run's operations, keyed by the effects' string values."""

from __future__ import annotations

from dataclasses import dataclass

from syncd.connectors.base import SideEffects
from syncd.operations import OpKind
from syncd.reconcile.notes import effect_totals
from syncd.reconcile.stages import TargetReport


@dataclass(frozen=True, slots=True)
class _Planned:
    """An operation of the run's report, as the totals read one: by its kind alone."""

    KIND: OpKind


def declared_effects(target: TargetReport, effects: SideEffects) -> dict[str, int]:
    """The effects the run's operations declare, totalled as the plan's note totals them."""
    planned = [_Planned(op.kind) for op in target.operations]
    totals = effect_totals(planned, effects)  # type: ignore[arg-type]
    return {effect.value: n for effect, n in totals.items()}
