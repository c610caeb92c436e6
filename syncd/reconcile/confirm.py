"""Settle the operations an LMS answered in words syncd could not read (`Unconfirmed`).

The read a real cycle just made is the confirmation: an unconfirmed operation of an
earlier run that this cycle's plan holds again (planned, held back or unsupported) was
not done, and becomes `replanned`; one the plan no longer holds is `done` and takes its
effect on the links now: a removal drops its link; an addition is linked as syncd's own
(whether its link was reserved when the answer came, or never written because the process
died before the answer: `journal.recover_interrupted`). A create known by no id is linked
by the plan's adoption instead. Level-triggered: nothing but the fresh read decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import structlog

from syncd.keys import ObjectKey
from syncd.operations import Operation, OpKind
from syncd.reconcile.diff import Plan
from syncd.reconcile.effects import CREATES, record_effect
from syncd.store import Session, journal
from syncd.store.journal import OpStatus
from syncd.store.links import LinkChanges, write_links

log = structlog.get_logger()


def settle_unconfirmed(
    session: Session, target: str, plan: Plan, run_id: int, now: dt.datetime
) -> int:
    """Settle every unconfirmed operation of `target` against `plan`; how many were done."""
    rows = journal.unconfirmed(session, target)
    if not rows:
        return 0
    planned = _keys((*plan, *plan.held, *plan.unsupported))
    links = LinkChanges()
    by_run: dict[int, list[journal.StatusChange]] = {}
    for row in rows:
        again = (row.kind, row.key) in planned
        if not again and (row.remote_id or row.kind not in CREATES):
            record_effect(row.kind, row.key, row.remote_id, links)
        status = OpStatus.REPLANNED if again else OpStatus.DONE
        note = f"{'not shown' if again else 'confirmed'} by the read of run {run_id}"
        by_run.setdefault(row.run_id, []).append(
            journal.StatusChange(row.seq, status, now, note, row.remote_id)
        )
    for earlier, changes in by_run.items():
        journal.record_statuses(session, earlier, changes)
    write_links(session, target, links, now)
    done = sum(c.status is OpStatus.DONE for changes in by_run.values() for c in changes)
    log.info("unconfirmed_settled", done=done, replanned=len(rows) - done)
    return done


def _keys(ops: Iterable[Operation]) -> set[tuple[OpKind, ObjectKey]]:
    return {(op.KIND, op.key) for op in ops}
