"""How plans, results and status read: a table for people, JSON for scripts (contract shape)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from syncd.hr.tenure import UPCOMING
from syncd.side_effects import effect_words
from syncd.store.journal import OpStatus

if TYPE_CHECKING:  # `syncd status` renders without loading the engine
    from syncd.reconcile.readback import ReadbackReport
    from syncd.reconcile.stages import OperationReport, TargetReport
    from syncd.runtime import RunReport

MARKS = {
    "create": "+",
    "add": "+",
    "enroll": "+",
    "adopt": "=",
    "reactivate": "+",
    "update": "~",
    "move": "~",
    "delete": "-",
    "remove": "-",
    "unenroll": "-",
    "deactivate": "-",
}


def run_json(report: RunReport) -> str:
    doc = {
        "dry_run": report.dry_run,
        "hr": _hr(report),
        "targets": [target_json(t) for t in report.targets],
    }
    return json.dumps(doc, indent=2, sort_keys=False, default=str)


def _hr(report: RunReport) -> dict[str, Any] | None:
    if report.hr is None:
        return None
    hr = report.hr
    upcoming = [change_json(c.at, c.employee_id, c.text) for c in hr.upcoming]
    return {"status": hr.status, "people": hr.people, "quarantined": hr.quarantined} | {
        "upcoming": upcoming
    }


def change_json(at: dt.datetime, employee_id: str, text: str) -> dict[str, str]:
    """One coming effective change, as `syncd run` and `syncd status` give it in JSON."""
    return {"at": at.isoformat(), "employee_id": employee_id, "change": text}


def target_json(t: TargetReport) -> dict[str, Any]:
    return {
        "name": t.name,
        "kind": t.kind,
        "status": t.status,
        "message": t.message,
        "run_id": t.run_id,
        "counts": t.counts,
        "drift": t.drift,
        "readback": _readback_json(t.readback),
        "side_effects": {"totals": dict(t.side_effects), "no_switch": list(t.no_switch)},
        "operations": [
            {
                "kind": o.kind,
                "key": o.key,
                "changes": o.changes,
                "before": o.before,
                "side_effects": dict(o.side_effects),
                "status": o.status,
                "error": o.error,
            }
            for o in t.operations
        ],
    }


def _readback_json(r: ReadbackReport | None) -> dict[str, Any] | None:
    if r is None:
        return None
    since = None if r.since is None else r.since.isoformat()
    return {
        "full": r.since is None,
        "since": since,
        "records": r.records,
        "changed": r.changed,
        "dropped": r.dropped,
        "unnamed": r.unnamed,
    }


def run_text(report: RunReport) -> str:
    return "\n".join(_run_lines(report)) + "\n"


def _run_lines(report: RunReport) -> Iterator[str]:
    mode = "dry run: nothing is sent to any LMS" if report.dry_run else "applied"
    hr = report.hr
    hr_line = (
        f"HR import {hr.status}: {hr.people} people, {hr.quarantined} quarantined" if hr else ""
    )
    yield f"syncd run ({mode}). {hr_line}".rstrip()
    if hr is not None:
        yield from _upcoming_lines([{"change": c.text} for c in hr.upcoming])
    for target in report.targets:
        yield ""
        yield from _target_lines(target)


def _target_lines(t: TargetReport) -> Iterator[str]:
    total = sum(t.counts.values())
    yield f"{t.name} ({t.kind}): {t.status}, {total} operation{'s' * (total != 1)} planned"
    if t.message:
        yield f"  ! {t.message}"
    if t.counts:
        yield "  " + " · ".join(f"{kind} {n}" for kind, n in t.counts.items())
    for op in t.operations:
        yield "  " + _op_line(op)
    results = _results(t.operations)
    if results and t.status != "planned":
        yield "  result: " + ", ".join(f"{n} {s}" for s, n in results.items())
    if t.drift:
        done = "would restore" if t.status == "planned" else "restored"
        yield f"  drift: {done} {t.drift} value{'s' * (t.drift != 1)} changed by hand in the LMS"
    if t.readback is not None:
        r = t.readback
        how = "every result" if r.since is None else f"results since {r.since:%Y-%m-%d %H:%M:%S}"
        yield f"  read back {how}: {r.records} training records, {r.changed} changed"


def _op_line(op: OperationReport) -> str:
    mark = MARKS.get(op.kind.split("_")[0], " ")
    fields = " ".join(_field(name, value, op.before) for name, value in op.changes.items())
    shown = op.status in {OpStatus.PLANNED, OpStatus.DONE}
    status = "" if shown else f"  [{op.status}: {op.error}]"
    effects = ", ".join(effect_words(e, n) for e, n in op.side_effects.items())
    effects = f"  ⇒ {effects}" if effects else ""
    return f"{mark} {op.kind:<16} {op.key:<32} {fields}{effects}{status}".rstrip()


def _field(name: str, value: object, before: Mapping[str, object]) -> str:
    """`name=value`, or `name: old → new` where the operation overwrites what the LMS held."""
    if name in before:
        return f"{name}: {_show(before[name])} → {_show(value)}"
    return f"{name}={_show(value)}"


def _show(value: object) -> str:
    if value is None:
        return "-"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(text) if " " in text else text


def _results(ops: Iterable[OperationReport]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for op in ops:
        if op.status != OpStatus.PLANNED:
            counts[op.status] = counts.get(op.status, 0) + 1
    return counts


def status_json(status: Mapping[str, Any]) -> str:
    return json.dumps(status, indent=2, default=_json_value)


def iso_utc(moment: dt.datetime) -> str:
    """A moment as `syncd status` shows it, in text and JSON: ISO 8601 in UTC to the
    second, `Z` for the zone (`2026-12-07T14:11:06Z`), as the HR export writes times. The
    status tables read back aware; a naive moment is taken as UTC, as they store it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_value(value: object) -> str:
    """What JSON holds of a value it has no type for: a moment as `iso_utc`, else its text."""
    return iso_utc(value) if isinstance(value, dt.datetime) else str(value)


def status_text(status: Mapping[str, Any]) -> str:
    return "\n".join(_status_lines(status)) + "\n"


def _status_lines(status: Mapping[str, Any]) -> Iterator[str]:
    for target in status["targets"]:
        yield f"{target['name']} ({target['kind']})"
        if not target["runs"]:
            yield "  no runs yet"
        records = target["training_records"]
        if records:
            by_status = ", ".join(f"{status} {n}" for status, n in records.items())
            until = _when(target["read_back_until"])
            yield f"  training records: {by_status} (read back until {until})"
        if target["drift"]:
            yield f"  drift restored: {target['drift']} value(s) changed by hand in the LMS"
        for run in target["runs"]:
            mode = "dry run" if run["dry_run"] else "run"
            shown = {k: v for k, v in run["counts"].items() if v}
            counts = ", ".join(f"{k} {v}" for k, v in shown.items()) or "no operations"
            drift = f", drift {run['drift']}" if run["drift"] else ""
            effects = ", ".join(effect_words(e, n) for e, n in run["side_effects"].items())
            effects = f"; the LMS, on its own: {effects}" if effects else ""
            if run["fingerprints"]:
                prints = run["fingerprints"]
                effects += f" [saved plan: hr {prints['hr']}, lms {prints['lms']}]"
            yield (
                f"  {mode} #{run['id']} {_when(run['started_at'])} {run['status']}: "
                f"{counts}{drift}{effects}"
            )
            if run["message"]:
                yield f"    ! {run['message']}"
        for job in target["pending_jobs"]:
            yield (
                f"  waiting on job {job['job_id']}: {job['operation']} {job['key']} "
                f"(since {_when(job['created_at'])}, {job['polls']} poll(s), "
                f"expires {_when(job['expires_at'])})"
            )
            if job["last_error"]:
                yield f"    ! last poll failed: {job['last_error']}"
        for op in target["unconfirmed_operations"]:
            yield (
                f"  unconfirmed {op['kind']} {op['key']} (run #{op['run_id']}): "
                "the LMS's answer did not say; the next read settles it"
            )
        for op in target["failed_operations"]:
            yield (
                f"  failed {op['kind']} {op['key']} (run #{op['run_id']}, "
                f"{op['attempts']} attempt(s)): {op['error']}"
            )
        yield ""
    yield from _quarantine_lines(status["hr"])
    yield from _upcoming_lines(status.get("upcoming", []))


def _when(value: object) -> str:
    """A moment as `iso_utc`; anything else (no moment yet: None) as its text."""
    return iso_utc(value) if isinstance(value, dt.datetime) else str(value)


def _quarantine_lines(hr: Mapping[str, Any] | None) -> Iterator[str]:
    if hr is None:
        yield "HR: no import yet"
        return
    yield (
        f"HR import #{hr['id']} {_when(hr['finished_at'])} {hr['status']}: {hr['people']} people, "
        f"{len(hr['quarantine'])} row(s) quarantined"
    )
    if hr["message"]:
        yield f"  ! {hr['message']}"
    for q in hr["quarantine"]:
        yield f"  {q['source_file']}:{q['line']}: {q['reason']}"


def _upcoming_lines(changes: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """HR's coming effective changes (`syncd.hr.tenure.upcoming`), first first."""
    if changes:
        yield f"Coming changes from HR's dates (the next {UPCOMING} at most):"
    for change in changes:
        yield f"  {change['change']}"
