"""async jobs: the error of a job's last poll

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

`async_jobs.last_error` holds why the last poll of a still pending job failed (the LMS
answered 5xx or refused that one job), so that one failing poll is recorded on its job
and backed off instead of stopping the cycle. NULL: the last poll worked (or none yet).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("async_jobs") as batch:
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("async_jobs") as batch:
        batch.drop_column("last_error")
