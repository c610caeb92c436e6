"""Links: which remote object each HR key is, per target, and whether syncd created or adopted it.

A membership or enrollment link also means "syncd manages this one": only
linked memberships and enrollments are ever removed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from syncd.records import LinkKind, Links, RemoteId
from syncd.store.schema import LinkRow


def load_links(session: Session, target: str) -> Links:
    by_kind: dict[LinkKind, dict[str, RemoteId]] = defaultdict(dict)
    for row in session.scalars(select(LinkRow).where(LinkRow.target == target)):
        by_kind[LinkKind(row.kind)][row.hr_key] = RemoteId(row.remote_id)
    return Links(dict(by_kind))


def put_link(
    session: Session,
    target: str,
    kind: LinkKind,
    hr_key: str,
    remote_id: str,
    *,
    origin: str,
    now: dt.datetime,
) -> None:
    row = session.get(LinkRow, (target, kind.value, hr_key))
    if row is None:
        session.add(
            LinkRow(
                target=target,
                kind=kind.value,
                hr_key=hr_key,
                remote_id=remote_id,
                origin=origin,
                created_at=now,
            )
        )
    else:
        row.remote_id, row.origin = remote_id, origin


def drop_link(session: Session, target: str, kind: LinkKind, hr_key: str) -> None:
    session.execute(
        delete(LinkRow).where(
            LinkRow.target == target, LinkRow.kind == kind.value, LinkRow.hr_key == hr_key
        )
    )


def count_links(session: Session, target: str, kind: LinkKind) -> int:
    query = select(func.count()).where(LinkRow.target == target, LinkRow.kind == kind.value)
    return session.scalar(query) or 0
