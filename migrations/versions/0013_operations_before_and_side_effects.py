"""operations: what the LMS held of each field an operation overwrites; runs: side effects

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

`operations.before` keeps, beside `payload` (what the operation sets), the values the
read found for those fields (`operations.before`), so that a plan and a run show
`last_name: Laurent → Martin`. NULL where the operation overwrites nothing, and on
every row written before. `sync_runs.side_effects` totals what the run's plan makes the
LMS do on its own (emails, seats, results deleted), `{}` on runs recorded before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("operations", sa.Column("before", sa.JSON(), nullable=True))
    op.add_column(
        "sync_runs", sa.Column("side_effects", sa.JSON(), nullable=False, server_default="{}")
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not a batch copy: copying `sync_runs` would drop the
    # old table, and with foreign keys on that deletes every run's operations (CASCADE).
    op.drop_column("sync_runs", "side_effects")
    op.drop_column("operations", "before")
