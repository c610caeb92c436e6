"""object keys in typed columns: operations, async_jobs and links

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15

An object key (`syncd/keys.py`: an account, a group, a membership, an enrollment) was
kept as text only (`operations.object_key`, `async_jobs.object_key`, `links.hr_key`) and
split back into its parts wherever syncd needed them, which went wrong when an employee
id or a course code held a `/`. Its parts now have typed columns beside that text:
`key_kind` (operations, async_jobs; a link has its `kind`), `employee_id`, `group_kind`,
`group_code`, `course_code` and `role`, '' where a kind of key has no such part. Links
are keyed by them instead of `hr_key`. The text columns keep their text, for the people
and scripts that query them; syncd reads the typed columns only.

The rows already there are parsed here, once. A key whose text splits more than one way
at a `/` is split where its employee id is a person of the mirror (`people`), else where
syncd used to split it: an enrollment's employee id before the first `/`, a membership's
after the last.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = ("employee_id", "group_kind", "group_code", "course_code", "role")
WIDTHS = {"employee_id": 255, "group_kind": 16, "group_code": 255, "course_code": 255, "role": 16}
MANAGER = "manager@"  # the text of a manager's membership starts so; a learner's has no prefix
PAGE = 5_000
USER_OPS = {"create_user", "update_user", "deactivate_user", "reactivate_user", "delete_user"}
GROUP_OPS = {"create_group", "update_group", "move_group", "delete_group"}
KEY_KIND_OF_OP = {
    **dict.fromkeys(USER_OPS, "user"),
    "add_member": "membership",
    "remove_member": "membership",
    "enroll": "enrollment",
    "unenroll": "enrollment",
}


def _column(name: str, *, primary_key: bool = False) -> sa.Column[str]:
    width = 16 if name == "key_kind" else WIDTHS[name]
    return sa.Column(
        name, sa.String(width), nullable=False, server_default="", primary_key=primary_key
    )


# --- parsing the old text, once ------------------------------------------------------------


def _split(text: str, people: set[str], *, employee_first: bool) -> tuple[str, str]:
    """(employee id, the rest) of `employee/rest` (`employee_first`) or `rest/employee`."""
    cuts = [i for i, char in enumerate(text) if char == "/"]
    if not cuts:
        return (text, "") if employee_first else ("", text)
    for cut in cuts if employee_first else reversed(cuts):
        head, tail = text[:cut], text[cut + 1 :]
        if (head if employee_first else tail) in people:
            return (head, tail) if employee_first else (tail, head)
    cut = cuts[0] if employee_first else cuts[-1]
    head, tail = text[:cut], text[cut + 1 :]
    return (head, tail) if employee_first else (tail, head)


def _group(text: str) -> dict[str, str]:
    """`org_unit:SAL` -> its kind and code."""
    kind, _, code = text.partition(":")
    return {"group_kind": kind, "group_code": code}


def _membership(text: str, people: set[str]) -> dict[str, str]:
    """`[manager@]org_unit:SAL/E1`."""
    role = "manager" if text.startswith(MANAGER) else "learner"
    employee, group = _split(text.removeprefix(MANAGER), people, employee_first=False)
    return {**_group(group), "employee_id": employee, "role": role}


def _enrollment(text: str, people: set[str]) -> dict[str, str]:
    """`E1/SEC-101`."""
    employee, course = _split(text, people, employee_first=True)
    return {"employee_id": employee, "course_code": course}


def _link_parts(kind: str, text: str, people: set[str]) -> dict[str, str]:
    """A key of link kind `kind` as the links wrote it (a group: its code alone)."""
    parts = dict.fromkeys(PARTS, "")
    if kind == "user":
        parts["employee_id"] = text
    elif kind in ("org_unit", "group"):
        parts |= {"group_kind": kind, "group_code": text}
    elif kind == "membership":
        parts |= _membership(text, people)
    elif kind == "enrollment":
        parts |= _enrollment(text, people)
    return parts


def _operation_parts(
    kind: str, text: str, payload: Mapping[str, Any] | None, people: set[str]
) -> dict[str, str]:
    """An operation's key: `key_kind` and parts, from its kind and its object_key."""
    if kind == "adopt":  # shown as its link's HR key; the link's kind is in its payload
        link = str((payload or {}).get("link", "user"))
        return {"key_kind": link, **_link_parts(link, text, people)}
    if kind in GROUP_OPS:  # shown as `org_unit:SAL`
        group = _group(text)
        return {"key_kind": group["group_kind"], **dict.fromkeys(PARTS, ""), **group}
    key_kind = KEY_KIND_OF_OP.get(kind, "user")
    return {"key_kind": key_kind, **_link_parts(key_kind, text, people)}


# --- filling the columns -------------------------------------------------------------------


def _pages(table: sa.TableClause, *columns: str) -> Iterator[Sequence[sa.Row[Any]]]:
    """Every row's id and `columns`, a page at a time, in id order."""
    last = 0
    while True:
        query = (
            sa.select(table.c.id, *(table.c[c] for c in columns))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(PAGE)
        )
        rows = op.get_bind().execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _fill_by_id(table: sa.TableClause, rows: list[dict[str, str | int]]) -> None:
    names = ("key_kind", *PARTS)
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in names})
    )
    if rows:
        op.get_bind().execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def _keyed_table(name: str, *read: sa.ColumnClause[Any]) -> sa.TableClause:
    """`name` with its id, the columns `read` and the typed key columns."""
    typed = (sa.column(c, sa.String) for c in ("key_kind", *PARTS))
    return sa.table(name, sa.column("id", sa.Integer), *read, *typed)


def _fill_operations(people: set[str]) -> None:
    read = ("kind", "object_key")
    table = _keyed_table("operations", *map(sa.column, read), sa.column("payload", sa.JSON))
    for rows in _pages(table, "kind", "object_key", "payload"):
        filled = [
            {"id": r.id, **_operation_parts(r.kind, r.object_key, r.payload, people)}
            for r in rows
        ]
        _fill_by_id(table, filled)


def _fill_jobs(people: set[str]) -> None:
    table = _keyed_table("async_jobs", sa.column("operation"), sa.column("object_key"))
    for rows in _pages(table, "operation", "object_key"):
        filled = [
            {"id": r.id, **_operation_parts(r.operation, r.object_key, None, people)}
            for r in rows
        ]
        _fill_by_id(table, filled)


def _fill_links(people: set[str]) -> None:
    bind = op.get_bind()
    names = ("target", "kind", "hr_key", *PARTS)
    table = sa.table("links", *(sa.column(c, sa.String) for c in names))
    rows = bind.execute(sa.select(table.c.target, table.c.kind, table.c.hr_key)).all()
    statement = (
        sa.update(table)
        .where(
            table.c.target == sa.bindparam("b_target"),
            table.c.kind == sa.bindparam("b_kind"),
            table.c.hr_key == sa.bindparam("b_hr_key"),
        )
        .values({name: sa.bindparam(f"b_{name}") for name in PARTS})
    )
    filled = [
        {"b_target": r.target, "b_kind": r.kind, "b_hr_key": r.hr_key}
        | {f"b_{k}": v for k, v in _link_parts(r.kind, r.hr_key, people).items()}
        for r in rows
    ]
    if filled:
        bind.execute(statement, filled)


# --- the links' primary key ----------------------------------------------------------------


def _links_table(primary_key: Sequence[str], *, typed: bool = True) -> sa.Table:
    """The links table as it stands, keyed by `primary_key` (for SQLite's batch copy)."""
    columns = [
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hr_key", sa.String(255), nullable=False),
        sa.Column("remote_id", sa.String(255), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *(_column(name) for name in (PARTS if typed else ())),
    ]
    return sa.Table("links", sa.MetaData(), *columns, sa.PrimaryKeyConstraint(*primary_key))


def _key_links_by(primary_key: Sequence[str], *, drop: Sequence[str] = ()) -> None:
    """Make `primary_key` the links' primary key, dropping the columns `drop`."""
    if op.get_bind().dialect.name == "sqlite":  # SQLite cannot alter a primary key: copy
        copy = _links_table(primary_key)
        with op.batch_alter_table("links", recreate="always", copy_from=copy) as batch:
            for name in drop:
                batch.drop_column(name)
        return
    op.drop_constraint("links_pkey", "links", type_="primary")
    for name in drop:
        op.drop_column("links", name)
    op.create_primary_key("links_pkey", "links", list(primary_key))


def upgrade() -> None:
    for name in ("operations", "async_jobs"):
        with op.batch_alter_table(name) as batch:
            for column in ("key_kind", *PARTS):
                batch.add_column(_column(column))
    with op.batch_alter_table("links") as batch:
        for column in PARTS:
            batch.add_column(_column(column))
    people = set(op.get_bind().execute(sa.text("SELECT employee_id FROM people")).scalars())
    _fill_operations(people)
    _fill_jobs(people)
    _fill_links(people)
    _key_links_by(("target", "kind", *PARTS))


def downgrade() -> None:
    _key_links_by(("target", "kind", "hr_key"), drop=PARTS)
    for name in ("operations", "async_jobs"):
        with op.batch_alter_table(name) as batch:
            for column in ("key_kind", *PARTS):
                batch.drop_column(column)
