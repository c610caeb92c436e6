"""member roles: memberships are learners or managers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

desired_memberships and shadow_memberships gain `role` in their primary key.
Both tables hold derived data (the mirror is re-derived at the next HR import,
the shadow at the next read), so they are rebuilt empty, and the last import's
fingerprint is cleared so that the next cycle imports again before it plans.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _desired(role: bool) -> None:
    columns = [sa.Column("group_ref", sa.String(255), nullable=False),
               sa.Column("employee_id", sa.String(255), nullable=False)]
    keys = ["group_ref", "employee_id"]
    if role:
        columns.append(sa.Column("role", sa.String(16), nullable=False))
        keys.append("role")
    op.create_table("desired_memberships", *columns, sa.PrimaryKeyConstraint(*keys))


def _shadow(role: bool) -> None:
    columns = [sa.Column("target", sa.String(255), nullable=False),
               sa.Column("group_kind", sa.String(16), nullable=False),
               sa.Column("group_remote_id", sa.String(255), nullable=False),
               sa.Column("user_remote_id", sa.String(255), nullable=False)]
    keys = ["target", "group_kind", "group_remote_id", "user_remote_id"]
    if role:
        columns.append(sa.Column("role", sa.String(16), nullable=False))
        keys.append("role")
    op.create_table("shadow_memberships", *columns, sa.PrimaryKeyConstraint(*keys))


def _rebuild(role: bool) -> None:
    op.drop_table("desired_memberships")
    op.drop_table("shadow_memberships")
    _desired(role)
    _shadow(role)
    op.execute("UPDATE hr_imports SET fingerprint = ''")


def upgrade() -> None:
    _rebuild(role=True)


def downgrade() -> None:
    _rebuild(role=False)
