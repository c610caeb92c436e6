"""The plan's resolution: what the streaming diff resolved before its queries run, in three
temporary tables on the plan's connection (each employee's account, each HR group's LMS
group, each course id's code), and the tables of mirror, shadow and links those queries
join them to (`planreads.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Index,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    false,
    insert,
    null,
    select,
    text,
    true,
    update,
)
from sqlalchemy.orm import Session

from syncd.records import LinkKind
from syncd.store.schema import (
    DesiredEnrollmentRow,
    DesiredMembershipRow,
    LinkRow,
    PersonRow,
    ShadowEnrollmentRow,
    ShadowMembershipRow,
    ShadowUserRow,
    table_of,
)

_TEMP = MetaData()
KEY = String(255)
USERS = Table(  # one row per person: whether active, and their account as resolved
    "syncd_plan_people",
    _TEMP,
    Column("employee_id", KEY, primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("remote_id", KEY, nullable=True),  # NULL: no account (yet), or an unknown one
    Column("unknown", Boolean, nullable=False),  # linked, unseen, and the read was partial
    Index("ix_syncd_plan_people_remote", "remote_id", "active"),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
GROUPS = Table(
    "syncd_plan_groups",
    _TEMP,
    Column("kind", String(16), primary_key=True),
    Column("code", KEY, primary_key=True),
    Column("remote_id", KEY, nullable=True),  # NULL: linked, unseen, the read was partial
    Index("ix_syncd_plan_groups_remote", "kind", "remote_id"),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
COURSES = Table(
    "syncd_plan_courses",
    _TEMP,
    Column("remote_id", KEY, primary_key=True),
    Column("code", KEY, nullable=False),
    Index("ix_syncd_plan_courses_code", "code"),
    prefixes=["TEMPORARY"],
    sqlite_with_rowid=False,
)
people, links = table_of(PersonRow), table_of(LinkRow)
shadow_users = table_of(ShadowUserRow)
desired_members, shadow_members = table_of(DesiredMembershipRow), table_of(ShadowMembershipRow)
desired_enrollments, shadow_enrollments = (
    table_of(DesiredEnrollmentRow),
    table_of(ShadowEnrollmentRow),
)


class Resolution:
    """The temporary tables of one plan, on the session's connection: made empty on entry,
    dropped on exit. Everything read through them must be read inside the `with`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __enter__(self) -> Resolution:
        self._drop()
        for table in (USERS, GROUPS, COURSES):
            table.create(self._session.connection())
        return self

    def __exit__(self, *_: object) -> None:
        self._drop()

    def _drop(self) -> None:
        for table in (USERS, GROUPS, COURSES):
            self._session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))

    def adopt_users(self, rows: Iterable[tuple[str, str]]) -> None:
        """Give people the accounts they adopted this cycle."""
        rows_ = [{"b_employee_id": e, "b_remote_id": r} for e, r in rows]
        if rows_:
            adopted = (
                update(USERS)
                .where(USERS.c.employee_id == bindparam("b_employee_id"))
                .values(remote_id=bindparam("b_remote_id"))
            )
            self._session.execute(adopted, rows_)

    def put_groups(self, rows: Iterable[tuple[str, str, str | None]]) -> None:
        rows_ = [{"kind": k, "code": c, "remote_id": r} for k, c, r in rows]
        _put(self._session, GROUPS, rows_)

    def put_courses(self, codes: Iterable[tuple[str, str]]) -> None:
        _put(self._session, COURSES, [{"remote_id": r, "code": c} for r, c in codes])

    def link_people(self, target: str, *, complete: bool, lms_has_accounts: bool = True) -> None:
        """Every person, with the account their link names if the read saw it; after a
        partial read, an unseen one is unknown. Where the LMS had no account when read (a
        first contact) and the read was whole, nobody has one: nothing is looked up."""
        su, p = shadow_users, people
        columns = ["employee_id", "active", "remote_id", "unknown"]
        if not lms_has_accounts and complete:
            nobody = select(p.c.employee_id, p.c.active, null(), false())
            self._session.execute(insert(USERS).from_select(columns, nobody))
            return
        unknown = and_(links.c.remote_id.is_not(None), su.c.remote_id.is_(None))
        rows = select(
            p.c.employee_id,
            p.c.active,
            su.c.remote_id,
            false() if complete else case((unknown, true()), else_=false()),
        ).select_from(
            p.outerjoin(
                links, and_(user_links(target), links.c.employee_id == p.c.employee_id)
            ).outerjoin(su, and_(su.c.target == target, su.c.remote_id == links.c.remote_id))
        )
        self._session.execute(insert(USERS).from_select(columns, rows))


def _put(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def user_links(target: str) -> ColumnElement[bool]:
    return and_(links.c.target == target, links.c.kind == LinkKind.USER.value)
