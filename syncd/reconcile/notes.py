"""What a run's message says beyond its counts: the notes each cycle stage may leave.

Each returns one sentence or None, and logs what a person would look into; the cycle
joins the sentences into `sync_runs.message` and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import structlog

from syncd.operations import Operation, OpKind
from syncd.reconcile.diff import count_kinds, shared_names
from syncd.reconcile.hold import unread_parts
from syncd.records import Group, GroupRef, RemoteState
from syncd.side_effects import Effect, SideEffects, effect_words
from syncd.store import journal

log = structlog.get_logger()


def unsupported(kind: str, ops: Sequence[Operation]) -> str | None:
    """What HR asked for that this LMS's API cannot do: logged, and said in the run's message."""
    if not ops:
        return None
    counts = count_kinds(ops)
    log.warning("unsupported_changes", kinds=counts, keys=[op.key for op in ops[:20]])
    listed = ", ".join(f"{kind_} {n}" for kind_, n in sorted(counts.items()))
    return f"left undone, the {kind} API cannot make them: {listed}"


def recovered(recovered: journal.Recovered) -> str | None:
    if not recovered.runs:
        return None
    log.warning(
        "runs_interrupted",
        runs=recovered.runs,
        unconfirmed=recovered.sent,
        skipped=recovered.skipped,
    )
    return (
        f"closed {recovered.runs} run(s) interrupted by a stopped process:"
        f" {recovered.sent} sent operation(s) settled by this read, {recovered.skipped} not sent"
    )


def unread_answers(count: int) -> str | None:
    if not count:
        return None
    return f"unconfirmed {count}: answered in words syncd cannot read, the next read settles them"


def side_effects(kind: str, ops: Sequence[Operation], effects: SideEffects) -> str | None:
    """What the plan makes the LMS do on its own, totalled ("litmos, on its own: 34
    welcome emails, 50 assignment emails, 34 seats"), and which of it no switch stops."""
    totals = effect_totals(ops, effects)
    if not totals:
        return None
    listed = ", ".join(effect_words(effect, n) for effect, n in totals.items())
    forced = [effect_words(e, 2).split(" ", 1)[1] for e in totals if e in effects.unswitchable]
    unstoppable = f" ({', '.join(forced)}: {kind}'s API has no switch)" if forced else ""
    return f"{kind}, on its own: {listed}{unstoppable}"


def effect_totals(ops: Iterable[Operation], effects: SideEffects) -> dict[Effect, int]:
    """How many of each effect `ops` cause, in `Effect`'s order."""
    if not effects.per_kind:
        return {}
    by_kind = count_kinds(op for op in ops if op.KIND in effects.per_kind)
    totals = dict.fromkeys(Effect, 0)
    for kind_, n in by_kind.items():
        for effect, each in effects.of(OpKind(kind_)).items():
            totals[effect] += n * each
    return {effect: n for effect, n in totals.items() if n}


def held(ops: Sequence[Operation], remote: RemoteState) -> str | None:
    """What the read that broke off holds back until a cycle reads what it depends on."""
    if remote.complete:
        return None
    unread = ", ".join(unread_parts(remote)) or "nothing"
    if not ops:
        return f"not read whole: {unread}; nothing held back"
    counts = count_kinds(ops)
    log.warning("operations_held", kinds=counts, unread=unread)
    listed = ", ".join(f"{kind_} {n}" for kind_, n in sorted(counts.items()))
    return f"held back until {unread} can be read whole: {listed}"


def shared(kind: str, groups: Mapping[GroupRef, Group]) -> str | None:
    """HR groups that one LMS group would hold, where the LMS keys groups by name."""
    clashes = shared_names(groups)
    if not clashes:
        return None
    log.warning("groups_share_a_name", names=clashes)
    listed = ", ".join("/".join(map(str, refs)) for refs in clashes.values())
    return f"groups sharing a name share one {kind} group (give them distinct names): {listed}"
