"""runs: whether a run carried out its whole plan, and a saved plan's fingerprints

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

`sync_runs.whole` is false for a run that applied only the kinds `syncd apply --only`
chose: the target is not in step with HR after it, so drift is not judged from it.
`hr_fingerprint` and `lms_fingerprint` are digests of what a saved plan was made from
(`syncd plan --out`) or held to (`syncd apply`); NULL on every other run.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sync_runs", sa.Column("whole", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("sync_runs", sa.Column("hr_fingerprint", sa.String(16), nullable=True))
    op.add_column("sync_runs", sa.Column("lms_fingerprint", sa.String(16), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN: a batch copy of `sync_runs` would cascade-delete its operations.
    op.drop_column("sync_runs", "lms_fingerprint")
    op.drop_column("sync_runs", "hr_fingerprint")
    op.drop_column("sync_runs", "whole")
