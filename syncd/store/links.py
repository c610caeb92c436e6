"""Links: which remote object each HR key is, per target, and whether syncd created or adopted it.

A membership or enrollment link also means "syncd manages this one": only
linked memberships and enrollments are ever removed. A deleted user takes
its membership and enrollment links with it (`drop_links_of_user`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from syncd.records import LinkKind, Links, RemoteId
from syncd.store.schema import LinkRow

CREATED = "created"


def load_links(session: Session, target: str) -> Links:
    """Every link of `target`; any origin but "created" counts as adopted."""
    by_kind: dict[LinkKind, dict[str, RemoteId]] = defaultdict(dict)
    adopted: set[tuple[LinkKind, str]] = set()
    for row in session.scalars(select(LinkRow).where(LinkRow.target == target)):
        by_kind[LinkKind(row.kind)][row.hr_key] = RemoteId(row.remote_id)
        if row.origin != CREATED:
            adopted.add((LinkKind(row.kind), row.hr_key))
    return Links(dict(by_kind), frozenset(adopted))


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
