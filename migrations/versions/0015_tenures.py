"""tenures: people's start and end dates, time zones and leave, as moments; people on leave

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

HR rows may carry `start_date`, `end_date`, `timezone` and `status = leave`. The import
keeps them here with the moments they make (when a person's account is due, when it is
deactivated), for every person who has any, people not yet due included: each cycle's
import derives from them who the LMSs see, the daemon wakes at the next moment, and
`syncd status` lists the coming ones. Empty until the next import fills it.
`people.on_leave` marks the inactive people who are on leave: their accounts are
deactivated, never deleted, even where a target deletes leavers' accounts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column("on_leave", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "tenures",
        sa.Column("employee_id", sa.String(255), primary_key=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("timezone", sa.String(255), nullable=True),
        sa.Column("zone", sa.String(255), nullable=False),
        sa.Column("on_leave", sa.Boolean(), nullable=False),
        sa.Column("appears_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tenures_appears_at", "tenures", ["appears_at"])
    op.create_index("ix_tenures_ends_at", "tenures", ["ends_at"])


def downgrade() -> None:
    op.drop_index("ix_tenures_ends_at", table_name="tenures")
    op.drop_index("ix_tenures_appears_at", table_name="tenures")
    op.drop_table("tenures")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("on_leave")
