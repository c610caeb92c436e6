"""mirror: group refs in typed columns

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15

The mirror kept an HR group by its text (`org_unit:SAL`: `desired_groups.ref` and
`parent_ref`, `desired_memberships.group_ref`) and parsed it back at every read. It keeps
its kind and code instead (`kind`, `code`, `parent_kind`, `parent_code`; `group_kind`,
`group_code`), as the object keys do since 0007. The mirror is HR's desired state as last
imported: its rows are carried over, each text parsed once here (the kind is what comes
before the first `:`, which no kind holds), so the next cycle plans from it as before.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY, KIND = sa.String(255), sa.String(16)


def _typed_tables() -> None:
    op.create_table(
        "desired_groups",
        sa.Column("kind", KIND, nullable=False),
        sa.Column("code", KEY, nullable=False),
        sa.Column("name", KEY, nullable=False),
        sa.Column("parent_kind", KIND, nullable=True),
        sa.Column("parent_code", KEY, nullable=True),
        sa.PrimaryKeyConstraint("kind", "code"),
    )
    op.create_table(
        "desired_memberships",
        sa.Column("group_kind", KIND, nullable=False),
        sa.Column("group_code", KEY, nullable=False),
        sa.Column("employee_id", KEY, nullable=False),
        sa.Column("role", KIND, nullable=False),
        sa.PrimaryKeyConstraint("group_kind", "group_code", "employee_id", "role"),
    )


def _text_tables() -> None:
    op.create_table(
        "desired_groups",
        sa.Column("ref", KEY, nullable=False),
        sa.Column("name", KEY, nullable=False),
        sa.Column("parent_ref", KEY, nullable=True),
        sa.PrimaryKeyConstraint("ref"),
    )
    op.create_table(
        "desired_memberships",
        sa.Column("group_ref", KEY, nullable=False),
        sa.Column("employee_id", KEY, nullable=False),
        sa.Column("role", KIND, nullable=False),
        sa.PrimaryKeyConstraint("group_ref", "employee_id", "role"),
    )


def _rows(table: str) -> list[dict[str, Any]]:
    result = op.get_bind().execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608 (a constant)
    return [dict(row._mapping) for row in result]


def _parsed(text: str | None) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    kind, _, code = text.partition(":")
    return kind, code


def _joined(kind: str | None, code: str | None) -> str | None:
    return None if kind is None else f"{kind}:{code}"


def _rebuild(groups: list[dict[str, Any]], members: list[dict[str, Any]], *, typed: bool) -> None:
    op.drop_table("desired_memberships")
    op.drop_table("desired_groups")
    (_typed_tables if typed else _text_tables)()
    meta = sa.MetaData()
    meta.reflect(op.get_bind(), only=("desired_groups", "desired_memberships"))
    if groups:
        op.bulk_insert(meta.tables["desired_groups"], groups)
    if members:
        op.bulk_insert(meta.tables["desired_memberships"], members)


def upgrade() -> None:
    groups = []
    for row in _rows("desired_groups"):
        (kind, code), (parent_kind, parent_code) = _parsed(row["ref"]), _parsed(row["parent_ref"])
        groups.append({"kind": kind, "code": code, "name": row["name"]} | {
            "parent_kind": parent_kind, "parent_code": parent_code
        })
    members = []
    for row in _rows("desired_memberships"):
        kind, code = _parsed(row["group_ref"])
        members.append({"group_kind": kind, "group_code": code} | {
            "employee_id": row["employee_id"], "role": row["role"]
        })
    _rebuild(groups, members, typed=True)


def downgrade() -> None:
    groups = [
        {"ref": _joined(r["kind"], r["code"]), "name": r["name"]}
        | {"parent_ref": _joined(r["parent_kind"], r["parent_code"])}
        for r in _rows("desired_groups")
    ]
    members = [
        {"group_ref": _joined(r["group_kind"], r["group_code"])}
        | {"employee_id": r["employee_id"], "role": r["role"]}
        for r in _rows("desired_memberships")
    ]
    _rebuild(groups, members, typed=False)
