"""shadow: a content hash per row, so that a fetch rewrites only what changed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Every shadow table gets `content_hash`, a 64-bit digest of the row's values other than
its key (`store/shadow_stage.py`). A fetch keeps the rows it finds unchanged instead of
deleting the target's shadow and writing it again. NULL (rows written before) differs
from every digest: the first fetch after the upgrade rewrites those rows once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "shadow_users",
    "shadow_groups",
    "shadow_memberships",
    "shadow_courses",
    "shadow_enrollments",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("content_hash", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("content_hash")
