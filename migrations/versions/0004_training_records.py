"""training records: results read back from each LMS, drift counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

New tables `training_records` and `readback_state`; shadow enrollments gain the
learner's progress; people gain `changed_at` (when an import last changed their
HR-owned fields); sync_runs gain `drift`. The shadow is refreshed by the next
read, and people keep NULL `changed_at` until an import changes them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
PROGRESS = (
    ("enrolled_at", WHEN),
    ("completed_at", WHEN),
    ("score", sa.Float()),
    ("raw_status", sa.String(255)),
)


def upgrade() -> None:
    op.create_table(
        "training_records",
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("employee_id", sa.String(255), nullable=False),
        sa.Column("course_code", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        *(sa.Column(name, kind, nullable=True) for name, kind in PROGRESS),
        sa.Column("first_seen_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("target", "employee_id", "course_code"),
    )
    op.create_table(
        "readback_state",
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("watermark", WHEN, nullable=False),
        sa.Column("full_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("target"),
    )
    with op.batch_alter_table("shadow_enrollments") as table:
        for name, kind in PROGRESS:
            table.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("people") as table:
        table.add_column(sa.Column("changed_at", WHEN, nullable=True))
    with op.batch_alter_table("sync_runs") as table:
        table.add_column(sa.Column("drift", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as table:
        table.drop_column("drift")
    with op.batch_alter_table("people") as table:
        table.drop_column("changed_at")
    with op.batch_alter_table("shadow_enrollments") as table:
        for name, _ in reversed(PROGRESS):
            table.drop_column(name)
    op.drop_table("readback_state")
    op.drop_table("training_records")
