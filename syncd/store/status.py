"""What `syncd status` shows, read from the status tables: runs, failures, jobs, quarantine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syncd.store.journal import OpStatus, unconfirmed
from syncd.store.schema import AsyncJobRow, HrImportRow, OperationRow, QuarantineRow, SyncRunRow
from syncd.store.training import count_records, watermark

RUNS_SHOWN = 5


def status_document(session: Session, targets: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "targets": [_target(session, name, kind) for name, kind in targets],
        "hr": _last_import(session),
    }


def _target(session: Session, name: str, kind: str) -> dict[str, Any]:
    runs = list(
        session.scalars(
            select(SyncRunRow)
            .where(SyncRunRow.target == name)
            .order_by(SyncRunRow.id.desc())
            .limit(RUNS_SHOWN)
        )
    )
    last_real = next((r for r in runs if not r.dry_run), None)
    drift = session.scalar(
        select(func.coalesce(func.sum(SyncRunRow.drift), 0)).where(
            SyncRunRow.target == name, ~SyncRunRow.dry_run
        )
    )
    mark = watermark(session, name)
    return {
        "name": name,
        "kind": kind,
        "drift": int(drift or 0),
        "training_records": count_records(session, name),
        "read_back_until": mark.at if mark else None,
        "runs": [_run(r) for r in runs],
        "failed_operations": _failed(session, last_real.id) if last_real else [],
        "pending_jobs": [_job(row) for row in _pending_jobs(session, name)],
        "unconfirmed_operations": [
            {"run_id": r.run_id, "kind": r.kind, "key": r.shown_key, "note": r.error}
            for r in unconfirmed(session, name)
        ],
    }


def _pending_jobs(session: Session, target: str) -> Sequence[AsyncJobRow]:
    """The target's pending job rows as stored (their times as the backend gives them)."""
    query = select(AsyncJobRow).where(
        AsyncJobRow.target == target, AsyncJobRow.status == OpStatus.PENDING
    )
    return session.scalars(query.order_by(AsyncJobRow.id)).all()


def _job(row: AsyncJobRow) -> dict[str, Any]:
    return {
        "job_id": row.job_id,
        "operation": row.operation,
        "key": row.object_key,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "last_polled_at": row.last_polled_at,
        "polls": row.polls,
        "last_error": row.last_error,  # the last failed poll's words, until a poll answers
    }


def _run(r: SyncRunRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "dry_run": r.dry_run,
        "status": r.status,
        "counts": r.counts,
        "drift": r.drift,
        "side_effects": r.side_effects or {},
        "whole": r.whole,
        "fingerprints": (
            {"hr": r.hr_fingerprint, "lms": r.lms_fingerprint} if r.hr_fingerprint else None
        ),
        "message": r.message,
    }


def _failed(session: Session, run_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(OperationRow)
        .where(OperationRow.run_id == run_id, OperationRow.status == OpStatus.FAILED)
        .order_by(OperationRow.seq)
    )
    return [
        {
            "run_id": r.run_id,
            "kind": r.kind,
            "key": r.object_key,
            "attempts": r.attempts,
            "error": r.error,
        }
        for r in rows
    ]


def _last_import(session: Session) -> dict[str, Any] | None:
    row = session.scalars(select(HrImportRow).order_by(HrImportRow.id.desc()).limit(1)).first()
    if row is None:
        return None
    quarantine = session.scalars(
        select(QuarantineRow).where(QuarantineRow.import_id == row.id).order_by(QuarantineRow.id)
    )
    return {
        "id": row.id,
        "finished_at": row.finished_at,
        "status": row.status,
        "people": row.people_count,
        "message": row.message,
        "quarantine": [
            {"source_file": q.source_file, "line": q.line, "reason": q.reason, "row": q.row}
            for q in quarantine
        ],
    }
