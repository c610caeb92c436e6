"""async jobs: the LMS's name for each operation inside a shared job

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

`async_jobs.item` is what the LMS calls one operation's part of a job that carries many
(a Litmos user import reports its failed rows by username), so that the poller can fail
those operations alone with the LMS's words and mark the others done. NULL: the job
succeeds or fails as a whole (every Dokeos job).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("async_jobs") as batch:
        batch.add_column(sa.Column("item", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("async_jobs") as batch:
        batch.drop_column("item")
