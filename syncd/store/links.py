"""Links: which remote object each HR key is, per target, and whether syncd created or adopted it.

A membership or enrollment link also means "syncd manages this one": only
linked memberships and enrollments are ever removed. A deleted user takes
its membership and enrollment links with it (`drop_links_of_user`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Insert, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from syncd.records import LinkKind, Links, RemoteId
from syncd.store.schema import LinkRow, table_of

CREATED = "created"


def load_links(session: Session, target: str) -> Links:
    """Every link of `target`; any origin but "created" counts as adopted."""
    by_kind: dict[LinkKind, dict[str, RemoteId]] = defaultdict(dict)
    adopted: set[tuple[LinkKind, str]] = set()
    table = table_of(LinkRow)
    for row in session.execute(select(table).where(table.c.target == target)):
        by_kind[LinkKind(row.kind)][row.hr_key] = RemoteId(row.remote_id)
        if row.origin != CREATED:
            adopted.add((LinkKind(row.kind), row.hr_key))
    return Links(dict(by_kind), frozenset(adopted))


@dataclass
class LinkChanges:
    """Link writes gathered while one batch's outcomes are recorded, then written in bulk."""

    puts: dict[tuple[LinkKind, str], tuple[str, str]] = field(default_factory=dict)
    drops: set[tuple[LinkKind, str]] = field(default_factory=set)
    deleted_users: list[str] = field(default_factory=list)

    def put(self, kind: LinkKind, hr_key: str, remote_id: str, *, origin: str) -> None:
        self.drops.discard((kind, hr_key))
        self.puts[(kind, hr_key)] = (remote_id, origin)

    def drop(self, kind: LinkKind, hr_key: str) -> None:
        self.puts.pop((kind, hr_key), None)
        self.drops.add((kind, hr_key))

    def drop_user(self, employee_id: str) -> None:
        self.deleted_users.append(employee_id)


def write_links(session: Session, target: str, changes: LinkChanges, now: dt.datetime) -> None:
    """Apply gathered link changes: one upsert for the puts, one delete per kind for the drops."""
    if changes.puts:
        rows = [
            {
                "target": target,
                "kind": kind.value,
                "hr_key": key,
                "remote_id": rid,
                "origin": origin,
                "created_at": now,
            }
            for (kind, key), (rid, origin) in changes.puts.items()
        ]
        session.execute(_upsert(session), rows)
    for kind in {kind for kind, _ in changes.drops}:
        keys = [key for k, key in changes.drops if k is kind]
        session.execute(
            delete(LinkRow).where(
                LinkRow.target == target, LinkRow.kind == kind.value, LinkRow.hr_key.in_(keys)
            )
        )
    for employee_id in changes.deleted_users:
        drop_links_of_user(session, target, employee_id)


def _upsert(session: Session) -> Insert:
    if session.get_bind().dialect.name == "postgresql":
        statement: postgresql.Insert | sqlite.Insert = postgresql.insert(LinkRow)
    else:
        statement = sqlite.insert(LinkRow)
    return statement.on_conflict_do_update(
        index_elements=["target", "kind", "hr_key"],
        set_={"remote_id": statement.excluded.remote_id, "origin": statement.excluded.origin},
    )


def drop_links_of_user(session: Session, target: str, employee_id: str) -> None:
    """Drop a user's link and its membership ("<group>/<employee>") and enrollment
    ("<employee>/<course>") links: what goes with an account deleted in the LMS."""
    suffix, prefix = f"/{employee_id}", f"{employee_id}/"
    session.execute(
        delete(LinkRow).where(
            LinkRow.target == target,
            or_(
                (LinkRow.kind == LinkKind.USER.value) & (LinkRow.hr_key == employee_id),
                (LinkRow.kind == LinkKind.MEMBERSHIP.value)
                & LinkRow.hr_key.endswith(suffix, autoescape=True),
                (LinkRow.kind == LinkKind.ENROLLMENT.value)
                & LinkRow.hr_key.startswith(prefix, autoescape=True),
            ),
        )
    )


def count_links(session: Session, target: str, kind: LinkKind) -> int:
    query = select(func.count()).where(LinkRow.target == target, LinkRow.kind == kind.value)
    return session.scalar(query) or 0
