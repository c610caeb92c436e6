"""What a plan was made from, object by object: a digest of every row of HR's mirror, and of
every row of one target's shadow and links.

A saved plan carries these (`syncd plan --out`); `syncd apply` takes them again after its
own reads and applies the plan only where nothing differs, naming what does
(`reconcile/saved.py`). A digest covers a row's values but not the moments syncd stamps
on it (when it was read, changed or linked), so an unchanged object keeps its digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Session

from syncd.store.schema import (
    DesiredEnrollmentRow,
    DesiredGroupRow,
    DesiredMembershipRow,
    LinkRow,
    PersonRow,
    table_of,
)
from syncd.store.shadow import SHADOW_MODELS

Objects = dict[str, dict[str, str]]
"""Part (`people`, `users`, `links`, ...) -> an object's key as text -> its digest."""

HR_PARTS = {
    "people": PersonRow,
    "groups": DesiredGroupRow,
    "memberships": DesiredMembershipRow,
    "enrollments": DesiredEnrollmentRow,
}
STAMPS = frozenset({"changed_at", "created_at", "content_hash"})  # moments, and a cache


def digest(objects: Mapping[str, Mapping[str, str]]) -> str:
    """One digest of a whole fingerprint (what the status database keeps of it)."""
    text = json.dumps(objects, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def hr_objects(session: Session) -> Objects:
    """Every row of HR's mirror, by part."""
    return {part: _digests(session, table_of(model)) for part, model in HR_PARTS.items()}


def target_objects(session: Session, target: str) -> Objects:
    """Every row of `target`'s shadow (what its last read found) and of its links."""
    models = {part.value: model for part, model in SHADOW_MODELS.items()} | {"links": LinkRow}
    return {part: _digests(session, table_of(model), target) for part, model in models.items()}


def _digests(session: Session, table: Table, target: str | None = None) -> dict[str, str]:
    keys = [c for c in table.primary_key.columns if c.name != "target"]
    values = [c for c in table.columns if not c.primary_key and c.name not in STAMPS]
    query = select(*keys, *values).order_by(*keys)
    if target is not None:
        query = query.where(table.c.target == target)
    return {
        _key(row[: len(keys)]): _digest(row[len(keys) :], values) for row in session.execute(query)
    }


def _key(parts: Iterable[Any]) -> str:
    """The key's parts joined by `/`, the empty ones (a link's unused columns) left out."""
    return "/".join(str(part) for part in parts if part not in ("", None))


def _digest(row: Iterable[Any], columns: list[Column[Any]]) -> str:
    named = {c.name: v for c, v in zip(columns, row, strict=True)}
    text = json.dumps(named, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
