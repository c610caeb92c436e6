"""The saved plan file (`syncd plan --out FILE`, `syncd apply FILE`): its format, written and
read back. Documented in docs/plan-file.md, its JSON Schema in docs/plan-file.schema.json.

Version 1 is the run's JSON plan (`render.run_json`'s targets) with, beside it, what the
plan was made from: the moment it was made, and fingerprints of HR's mirror and of each
target's shadow and links (`store/fingerprints.py`), object by object, so that `apply`
names what changed. A reader refuses another format or version rather than guess.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from syncd import __version__
from syncd.cli.render import target_json
from syncd.errors import SyncdError
from syncd.operations import OpKind
from syncd.reconcile.saved import Objects, SavedOperation, SavedPlan, SavedTarget
from syncd.reconcile.stages import TargetReport
from syncd.store.fingerprints import digest

FORMAT, VERSION = "syncd-plan", 1


def plan_document(
    reports: Iterable[TargetReport],
    hr: Objects,
    targets: Mapping[str, Objects],
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": now.isoformat(),
        "syncd": __version__,
        "hr": {"fingerprint": hr},
        "targets": [target_json(r) | {"fingerprint": targets[r.name]} for r in reports],
    }


def write_plan(path: Path, document: Mapping[str, Any]) -> None:
    """Written whole or not at all: a half-written plan file is never left behind."""
    scratch = path.with_name(path.name + ".partial")
    scratch.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    scratch.replace(path)


def read_plan(
    path: Path, *, now: dt.datetime, max_age: dt.timedelta, only: frozenset[OpKind]
) -> SavedPlan:
    """The saved plan in `path`, its operations of `only`'s kinds to apply (empty: all);
    refused, saying why, if it is not a syncd plan of this version or is older than
    `max_age`."""
    doc = _document(path)
    made = _moment(path, doc.get("created_at"))
    if now - made > max_age:
        raise SyncdError(
            f"{path}: the plan was made {_age(now - made)} ago, more than the {_age(max_age)} "
            "`safety.plan_max_age` allows: make a new plan (syncd plan --out FILE)"
        )
    try:
        hr = doc["hr"]["fingerprint"]
        targets = {t["name"]: _target(t, only, digest(hr)) for t in doc["targets"]}
        return SavedPlan(hr, targets)
    except (KeyError, TypeError, ValueError) as err:
        raise SyncdError(f"{path}: not a valid syncd plan ({err!r})") from err


def _document(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SyncdError(f"{path}: cannot read the plan: {err.strerror}") from err
    except ValueError as err:
        raise SyncdError(f"{path}: not JSON: {err}") from err
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SyncdError(f'{path}: not a syncd plan (no "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise SyncdError(
            f"{path}: a plan of version {doc.get('version')!r}; this syncd reads version "
            f"{VERSION}: make the plan again with this syncd"
        )
    return doc


def _moment(path: Path, text: object) -> dt.datetime:
    try:
        made = dt.datetime.fromisoformat(str(text))
    except ValueError as err:
        raise SyncdError(f"{path}: created_at {text!r} is not an ISO 8601 moment") from err
    if made.tzinfo is None:
        raise SyncdError(f"{path}: created_at {text!r} has no time zone")
    return made


def _target(doc: Mapping[str, Any], only: frozenset[OpKind], hr: str) -> SavedTarget:
    ops = tuple(
        SavedOperation(OpKind(o["kind"]), str(o["key"]), dict(o["changes"]))
        for o in doc["operations"]
    )
    objects = doc["fingerprint"]
    return SavedTarget(objects, ops, only, (hr, digest(objects)))


def _age(span: dt.timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{span.total_seconds() / 60:.0f} min"
