"""Links: which remote object each managed object is, per target, and whether syncd made it.

A link's identity is its target, its kind and its key's typed parts (`keyparts.py`); the
`hr_key` column beside them is the key's text, for people. A membership or enrollment
link also means "syncd manages this one": only linked memberships and enrollments are
ever removed. A deleted user takes its membership and enrollment links with it
(`drop_links_of_user`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Delete, Insert, Row, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from syncd.keys import Links, ObjectKey
from syncd.records import EmployeeId, LinkKind, RemoteId
from syncd.store.bulk import executemany
from syncd.store.keyparts import PARTS, key_columns, key_of
from syncd.store.schema import LinkRow, table_of

CREATED = "created"


def load_links(
    session: Session,
    target: str,
    kinds: Iterable[LinkKind] | None = None,
    employees: Iterable[str] | None = None,
) -> Links:
    """The links of `target` (of `kinds` only, of `employees` only, when given); any origin
    but "created" counts as adopted."""
    table = table_of(LinkRow)
    query = select(table).where(table.c.target == target)
    if kinds is not None:
        query = query.where(table.c.kind.in_([kind.value for kind in kinds]))
    if employees is None:
        return _links(session.execute(query))
    rows = (
        row
        for chunk in _chunks(sorted(set(employees)), 500)
        for row in session.execute(query.where(table.c.employee_id.in_(chunk)))
    )
    return _links(rows)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def _links(rows: Iterable[Row[Any]]) -> Links:
    ids: dict[ObjectKey, RemoteId] = {}
    adopted: set[ObjectKey] = set()
    for row in rows:
        key = key_of(LinkKind(row.kind), row)
        ids[key] = RemoteId(row.remote_id)
        if row.origin != CREATED:
            adopted.add(key)
    return Links(ids, frozenset(adopted))


def load_user_links(session: Session, target: str) -> dict[EmployeeId, RemoteId]:
    """The target's user links alone, by employee id: what read back names people by."""
    table = table_of(LinkRow)
    query = select(table.c.employee_id, table.c.remote_id).where(
        table.c.target == target, table.c.kind == LinkKind.USER.value
    )
    return {EmployeeId(r.employee_id): RemoteId(r.remote_id) for r in session.execute(query)}


def load_group_links(session: Session, target: str) -> Links:
    """The links of `target`'s groups (org units and config groups) only: a company's few."""
    table = table_of(LinkRow)
    kinds = (LinkKind.ORG_UNIT.value, LinkKind.GROUP.value)
    return _links(
        session.execute(select(table).where(table.c.target == target, table.c.kind.in_(kinds)))
    )


@dataclass
class LinkChanges:
    """Link writes gathered while one batch's outcomes are recorded, then written in bulk."""

    puts: dict[ObjectKey, tuple[RemoteId, str]] = field(default_factory=dict)
    drops: set[ObjectKey] = field(default_factory=set)
    deleted_users: list[EmployeeId] = field(default_factory=list)

    def put(self, key: ObjectKey, remote_id: RemoteId, *, origin: str) -> None:
        self.drops.discard(key)
        self.puts[key] = (remote_id, origin)

    def drop(self, key: ObjectKey) -> None:
        self.puts.pop(key, None)
        self.drops.add(key)

    def drop_user(self, employee_id: EmployeeId) -> None:
        self.deleted_users.append(employee_id)


def write_links(session: Session, target: str, changes: LinkChanges, now: dt.datetime) -> None:
    """Apply gathered link changes: one upsert for the puts, one executemany for the drops,
    one delete for the links of deleted users."""
    if changes.puts:
        rows = [
            {**_identity(target, key), "hr_key": key.link_text, "remote_id": rid}
            | {"origin": origin, "created_at": now}
            for key, (rid, origin) in changes.puts.items()
        ]
        executemany(session, _UPSERT[session.get_bind().dialect.name], rows)
    if changes.drops:
        drops = [_bound(_identity(target, key)) for key in changes.drops]
        executemany(session, _DELETE_ONE, drops)
    if changes.deleted_users:
        _drop_links_of_users(session, target, changes.deleted_users)


def _identity(target: str, key: ObjectKey) -> dict[str, str]:
    """A link's primary key: its target, its kind and its key's parts."""
    return {"target": target, "kind": key.link_kind.value, **key_columns(key)}


def _bound(identity: dict[str, str]) -> dict[str, str]:
    return {f"b_{name}": value for name, value in identity.items()}


def _delete_one() -> Delete:
    table = table_of(LinkRow)
    names = ("target", "kind", *PARTS)
    return delete(table).where(*(table.c[name] == bindparam(f"b_{name}") for name in names))


def _upsert(statement: postgresql.Insert | sqlite.Insert) -> Insert:
    return statement.on_conflict_do_update(
        index_elements=["target", "kind", *PARTS],
        set_={"remote_id": statement.excluded.remote_id, "origin": statement.excluded.origin},
    )


_DELETE_ONE = _delete_one()
_UPSERT = {
    "postgresql": _upsert(postgresql.insert(LinkRow)),
    "sqlite": _upsert(sqlite.insert(LinkRow)),
}


def drop_links_of_user(session: Session, target: str, employee_id: EmployeeId) -> None:
    """Drop a user's link and its membership and enrollment links: what goes with an
    account deleted in the LMS (a group's link has no employee)."""
    _drop_links_of_users(session, target, [employee_id])


def _drop_links_of_users(session: Session, target: str, employee_ids: list[EmployeeId]) -> None:
    session.execute(
        delete(LinkRow).where(LinkRow.target == target, LinkRow.employee_id.in_(employee_ids))
    )


def count_links(session: Session, target: str, kind: LinkKind) -> int:
    query = select(func.count()).where(LinkRow.target == target, LinkRow.kind == kind.value)
    return session.scalar(query) or 0
