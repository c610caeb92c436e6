"""fetch state: the parts of a target a broken-off read had read whole

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

`fetch_state.parts_read` names the parts (users, groups, memberships, courses,
enrollments) a fetch read whole before it broke off, so that a failed read holds
back only the operations that depend on what it could not read. NULL (rows
written before) reads as "none".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fetch_state") as batch:
        batch.add_column(sa.Column("parts_read", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fetch_state") as batch:
        batch.drop_column("parts_read")
