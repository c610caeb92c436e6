"""What the streaming diff reads: the mirror, one target's shadow and its links, joined in SQL.

The plan stage (`reconcile/stream.py`) resolves groups and accounts first and writes what
it resolved into three temporary tables (`plan_resolution.Resolution`): each employee's account (its
remote id, or NULL when it is linked but unseen after a partial read), each HR group's
LMS group, each course id's code. Every query below joins mirror, shadow and links
through primary keys and those tables and returns *candidates* only, in the order the
plan shows them: rows where some compared value differs. A row left out is one where
every value is equal, so no rule of the diff could make an operation of it; the rules
themselves stay in Python. Memory is the rows returned, not the rows read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session

from syncd.records import LinkKind, MemberRole
from syncd.store.plan_resolution import (
    COURSES,
    GROUPS,
    USERS,
    desired_enrollments,
    desired_members,
    links,
    people,
    shadow_enrollments,
    shadow_members,
    shadow_users,
    user_links,
)

FETCH = 2_000
"""Rows fetched from the driver at once: one call a chunk, not one a row."""


def _rows(session: Session, query: Any) -> Iterator[Row[Any]]:
    """The rows of `query`, run now and fetched `FETCH` at a time."""
    return _chunks(session.execute(query))


def _chunks(result: Any) -> Iterator[Row[Any]]:
    while chunk := result.fetchmany(FETCH):
        yield from chunk


def _tuples(session: Session, query: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` as the driver gives them: plain tuples, without the cost of
    making each a `Row` (a fifth of reading HR's memberships at a first contact). No type
    converts them: text is text everywhere, but a boolean may come as 0 or 1 and a date as
    its ISO text (SQLite), which the caller reads as such."""
    return _driver_chunks(session.execute(query))


def _driver_chunks(result: Any) -> Iterator[tuple[Any, ...]]:
    cursor = result.cursor
    try:
        while chunk := cursor.fetchmany(FETCH):
            yield from chunk
    finally:
        result.close()


def _seen(target: str) -> ColumnElement[bool]:
    su = shadow_users
    return exists().where(su.c.target == target, su.c.remote_id == links.c.remote_id)


def _in_order(session: Session, *columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """Order by code point, as Python compares text (PostgreSQL's collation may not)."""
    if session.get_bind().dialect.name == "postgresql":
        return [c.collate("C") for c in columns]
    return list(columns)


# --- accounts ------------------------------------------------------------------------------


def unlinked_users(session: Session, target: str) -> list[Row[Any]]:
    """The target's accounts no user link names: what adoption by natural key may match."""
    su = shadow_users
    linked = exists().where(user_links(target), links.c.remote_id == su.c.remote_id)
    return list(session.execute(select(su).where(su.c.target == target, ~linked)))


def unresolved_people(session: Session) -> Iterator[Row[Any]]:
    """People without an account of their own yet (neither linked nor adopted), by employee."""
    query = (
        select(people)
        .join(USERS, USERS.c.employee_id == people.c.employee_id)
        .where(USERS.c.remote_id.is_(None), USERS.c.unknown == false())
    )
    return _rows(session, query.order_by(*_in_order(session, people.c.employee_id)))


def user_candidates(
    session: Session, target: str, *, deleting: bool, lms_has_accounts: bool = True
) -> Iterator[tuple[Any, ...]]:
    """People whose account may need an operation, by employee: no account, an unseen one,
    a differing field or state; every leaver where leavers' accounts are deleted. Driver
    tuples (`_tuples`) of `CANDIDATE`'s columns; the person's `attributes` come as their
    JSON text. Where the LMS had no account when read: everyone, with none."""
    if not lms_has_accounts:
        return _tuples(session, _everyone_without_account(session))
    su, p = shadow_users, people
    differs = [p.c[name] != su.c[name] for name in ("username", "email", "first_name")]
    differs += [p.c.last_name != su.c.last_name, p.c.active != su.c.active]
    leavers = [and_(p.c.active == false(), p.c.on_leave == false())] if deleting else []
    where = or_(su.c.remote_id.is_(None), *differs, *leavers)
    query = (
        select(*_PERSON, cast(p.c.attributes, Text).label("attributes"), p.c.on_leave)
        .add_columns(su.c.remote_id.label("s_remote_id"), USERS.c.unknown)
        .add_columns(*(su.c[n].label(f"s_{n}") for n in _REMOTE_FIELDS))
        .add_columns(_origin(target, p.c.employee_id, su.c.remote_id))
        .select_from(_people_accounts(target))
        .where(where)
    )
    return _tuples(session, query.order_by(*_in_order(session, p.c.employee_id)))


def _everyone_without_account(session: Session) -> Any:
    """`user_candidates`'s rows when the LMS has no account: each person, an empty account."""
    p = people
    nothing = [null().label(f"s_{n}") for n in _REMOTE_FIELDS]
    return (
        select(*_PERSON, cast(p.c.attributes, Text).label("attributes"), p.c.on_leave)
        .add_columns(null().label("s_remote_id"), USERS.c.unknown, *nothing, null().label("origin"))
        .select_from(p.join(USERS, USERS.c.employee_id == p.c.employee_id))
        .order_by(*_in_order(session, p.c.employee_id))
    )


_PERSON = [c for c in people.c if c.name not in ("attributes", "changed_at", "on_leave")]
"""The `people` columns a `Person` holds before its `attributes`, which are read as their
JSON text, which the plan decodes once per distinct text (`stream._PersonOps`), and
`on_leave` after them."""
_REMOTE_FIELDS = ("username", "email", "first_name", "last_name", "active", "external_id")
CANDIDATE = (
    *(c.name for c in _PERSON),
    "attributes",
    "on_leave",
    "s_remote_id",
    "unknown",
    *(f"s_{n}" for n in _REMOTE_FIELDS),
    "origin",
)
"""The columns of a `user_candidates` row, in order: a `Person`'s fields in theirs, then the
account's (`s_`, NULL where there is none)."""


def _people_accounts(target: str) -> Any:
    su = shadow_users
    return people.join(USERS, USERS.c.employee_id == people.c.employee_id).outerjoin(
        su, and_(su.c.target == target, su.c.remote_id == USERS.c.remote_id)
    )


def _origin(target: str, employee_id: ColumnElement[Any], account: ColumnElement[Any]) -> Any:
    """The origin of the person's user link (created, adopted), NULL without one; looked
    up only where the LMS has the `account` (the plan asks nothing else of it)."""
    mine = select(links.c.origin).where(user_links(target), links.c.employee_id == employee_id)
    return case((account.is_(None), null()), else_=mine.scalar_subquery()).label("origin")


def vanished_users(session: Session, target: str) -> Iterator[Row[Any]]:
    """Linked accounts the read saw of people HR no longer lists, by employee."""
    su = shadow_users
    listed = exists().where(people.c.employee_id == links.c.employee_id)
    query = (
        select(links.c.employee_id, links.c.origin, su.c.active)
        .join(su, and_(su.c.target == target, su.c.remote_id == links.c.remote_id))
        .where(user_links(target), ~listed)
    )
    return _rows(session, query.order_by(*_in_order(session, links.c.employee_id)))


# --- memberships ---------------------------------------------------------------------------


def _member_key(
    session: Session, kind: ColumnElement[Any], code: ColumnElement[Any], emp: Any, role: Any
) -> list[ColumnElement[Any]]:
    """`MembershipKey`'s text (`[role@]kind:code/emp`): the order the plan shows them in."""
    prefix = case((role == MemberRole.LEARNER.value, literal("")), else_=role + literal("@"))
    return _in_order(session, prefix + kind + literal(":") + code + literal("/") + emp)


def _membership_link(target: str, kind: Any, code: Any, emp: Any, role: Any) -> Any:
    ml = links.alias("ml")
    on = and_(
        ml.c.target == target,
        ml.c.kind == LinkKind.MEMBERSHIP.value,
        ml.c.employee_id == emp,
        ml.c.group_kind == kind,
        ml.c.group_code == code,
        ml.c.course_code == "",
        ml.c.role == role,
    )
    return ml, on


def wanted_memberships(
    session: Session, target: str, roles: Iterable[str], *, adoptable: bool = True
) -> Iterator[tuple[Any, ...]]:
    """HR's memberships of active people in a role the LMS has, whose account and group are
    not unknown, that the LMS lacks (`actual` NULL) or syncd does not link yet (`linked`
    NULL: adopted). Not `adoptable` (the LMS had no membership when read): every one is
    lacking, and neither the shadow nor the links are looked at."""
    dm = desired_members
    source = dm.join(USERS, and_(USERS.c.employee_id == dm.c.employee_id, USERS.c.active))
    source = source.outerjoin(
        GROUPS, and_(GROUPS.c.kind == dm.c.group_kind, GROUPS.c.code == dm.c.group_code)
    )
    query = (
        select(dm.c.group_kind, dm.c.group_code, dm.c.employee_id, dm.c.role)
        .add_columns(GROUPS.c.remote_id.label("group_remote_id"))
        .add_columns(USERS.c.remote_id.label("user_remote_id"))
        .where(
            dm.c.role.in_(list(roles)),
            or_(GROUPS.c.kind.is_(None), GROUPS.c.remote_id.is_not(None)),
            USERS.c.unknown == false(),
        )
    )
    if adoptable:
        query = _in_shadow_or_linked(query, source, target)
    else:
        query = query.add_columns(null().label("actual"), null().label("linked"))
        query = query.select_from(source)
    order = _member_key(session, dm.c.group_kind, dm.c.group_code, dm.c.employee_id, dm.c.role)
    # A bound that holds for every row, on the person index's first column: SQLite then
    # scans that index (person by person, as the lookups beside it are kept), not the table.
    query = query.where(dm.c.employee_id >= "")
    return _tuples(session, query.order_by(*order))


def _in_shadow_or_linked(query: Any, source: Any, target: str) -> Any:
    """`query` with each membership's shadow row (`actual`) and link (`linked`), keeping
    the rows that lack either. The shadow is looked up by account
    (`ix_shadow_memberships_user`: its key's group column is kept out of the lookup), so
    that, people read in turn, each lookup lands beside the one before."""
    dm, sm = desired_members, shadow_members
    ml, on_link = _membership_link(
        target, dm.c.group_kind, dm.c.group_code, dm.c.employee_id, dm.c.role
    )
    actual = and_(
        sm.c.target == target,
        sm.c.user_remote_id == USERS.c.remote_id,
        sm.c.group_kind == dm.c.group_kind,
        _unindexed(sm.c.group_remote_id) == GROUPS.c.remote_id,
        sm.c.role == dm.c.role,
    )
    return (
        query.add_columns(sm.c.role.label("actual"), ml.c.kind.label("linked"))  # index-only
        .select_from(source.outerjoin(sm, actual).outerjoin(ml, on_link))
        .where(or_(sm.c.role.is_(None), ml.c.kind.is_(None)))
    )


def dropped_memberships(session: Session, target: str) -> Iterator[tuple[Any, ...]]:
    """Memberships syncd links and the LMS has, of active people, that HR no longer lists:
    the target's membership links scanned person by person, each looked up in HR's by
    person too (most are there: one lookup each), the rest looked up in the shadow."""
    dm, ml = desired_members, links
    wanted = exists().where(
        dm.c.employee_id == ml.c.employee_id,
        # Not by the primary key (group first): through the person index, as the links are
        # scanned, each lookup near the one before (SQLite, at 2.3 M links: 1.1 s, not 3.8).
        _unindexed(dm.c.group_kind) == ml.c.group_kind,
        dm.c.group_code == ml.c.group_code,
        dm.c.role == ml.c.role,
    )
    query = select(ml.c.group_kind, ml.c.group_code, ml.c.employee_id, ml.c.role).where(
        ml.c.target == target,
        ml.c.kind == LinkKind.MEMBERSHIP.value,
        ml.c.course_code == "",
        ~wanted,
        _in_shadow(target, ml),
    )
    order = _member_key(session, ml.c.group_kind, ml.c.group_code, ml.c.employee_id, ml.c.role)
    return _tuples(session, query.order_by(*order))


def _in_shadow(target: str, ml: Any) -> ColumnElement[bool]:
    """The linked membership `ml` is in the LMS, and its person is active."""
    sm = shadow_members
    return (
        exists()
        .select_from(
            USERS.join(
                GROUPS, and_(GROUPS.c.kind == ml.c.group_kind, GROUPS.c.code == ml.c.group_code)
            )
        )
        .where(
            USERS.c.employee_id == ml.c.employee_id,
            USERS.c.active,
            sm.c.target == target,
            sm.c.group_kind == GROUPS.c.kind,
            sm.c.group_remote_id == GROUPS.c.remote_id,
            sm.c.user_remote_id == USERS.c.remote_id,
            sm.c.role == ml.c.role,
        )
        .correlate(ml)
    )


def _unindexed(column: ColumnElement[str]) -> ColumnElement[str]:
    """The same text, which no index may look up (`column || ''`): steers the database to
    an index that leaves the column out."""
    return column + literal("")


def has_accounts(session: Session, target: str) -> bool:
    """Whether the LMS had any account when it was read."""
    su = shadow_users
    return bool(session.execute(select(exists().where(su.c.target == target))).scalar())


def has_memberships(session: Session, target: str) -> bool:
    """Whether the LMS had any membership when it was read (else none is adopted)."""
    sm = shadow_members
    return bool(session.execute(select(exists().where(sm.c.target == target))).scalar())


# --- enrollments ---------------------------------------------------------------------------


def has_enrollments(session: Session, target: str) -> bool:
    """Whether the LMS had any enrollment when it was read."""
    se = shadow_enrollments
    return bool(session.execute(select(exists().where(se.c.target == target))).scalar())


def wanted_enrollments(
    session: Session, target: str, *, lms_has_any: bool = True
) -> Iterator[tuple[Any, ...]]:
    """HR's enrollments of active people whose account is not unknown, that the LMS lacks,
    by course and employee (`ix_desired_enrollments_course`'s order: nothing to sort):
    driver tuples (`_tuples`) of employee, course code and due date. Without `lms_has_any`
    (the LMS had none when read) the shadow is not looked at."""
    de = desired_enrollments
    query = (
        select(de.c.employee_id, de.c.course_code, de.c.due_date)
        .select_from(de.join(USERS, and_(USERS.c.employee_id == de.c.employee_id, USERS.c.active)))
        .where(USERS.c.unknown == false())
    )
    if lms_has_any:
        query = query.where(~_enrolled(target))
    order = _in_order(session, de.c.course_code, de.c.employee_id)
    # A bound that holds for every row, on the course index's first column (as above).
    query = query.where(de.c.course_code >= "")
    return _tuples(session, query.order_by(*order))


def _enrolled(target: str) -> ColumnElement[bool]:
    """HR's enrollment `de` is in the LMS, under a course id bearing its code."""
    de, se = desired_enrollments, shadow_enrollments
    in_lms = (
        exists()
        .where(  # nested, so that it is a lookup by the whole primary key
            se.c.target == target,
            se.c.course_remote_id == COURSES.c.remote_id,
            se.c.user_remote_id == USERS.c.remote_id,
        )
        .correlate_except(se)
    )
    return exists().where(COURSES.c.code == de.c.course_code, in_lms)


def dropped_enrollments(session: Session, target: str) -> Iterator[Row[Any]]:
    """Enrollments the LMS has, syncd links and HR no longer lists, of active people, by
    course, employee and course id (several ids may bear one code: the last one counts)."""
    de, se = desired_enrollments, shadow_enrollments
    emp, code = USERS.c.employee_id, COURSES.c.code
    linked = exists().where(
        links.c.target == target,
        links.c.kind == LinkKind.ENROLLMENT.value,
        links.c.employee_id == emp,
        links.c.group_kind == "",
        links.c.group_code == "",
        links.c.course_code == code,
        links.c.role == "",
    )
    wanted = exists().where(de.c.employee_id == emp, de.c.course_code == code)
    query = (
        select(emp, code.label("course_code"), se.c.status)
        .select_from(
            se.join(COURSES, COURSES.c.remote_id == se.c.course_remote_id).join(
                USERS, USERS.c.remote_id == se.c.user_remote_id
            )
        )
        .where(se.c.target == target, USERS.c.active, ~wanted, linked)
    )
    order = _in_order(session, code, emp, se.c.course_remote_id)
    return _rows(session, query.order_by(*order))
