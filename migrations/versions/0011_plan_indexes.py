"""plan indexes: links by remote id, desired memberships by person

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-16

The streaming plan looks links up by the remote id they name (which of a target's
accounts no link names yet, for adoption by natural key): `ix_links_target_kind_remote`
on (target, kind, remote_id) makes that a lookup instead of a scan per account. It reads
HR's memberships person by person, in the order of the people and of the links it looks
up beside them: `ix_desired_memberships_person` on (employee_id, group_kind, group_code,
role) keeps those lookups on neighbouring pages.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_links_target_kind_remote", "links", ["target", "kind", "remote_id"])
    op.create_index(
        "ix_desired_memberships_person",
        "desired_memberships",
        ["employee_id", "group_kind", "group_code", "role"],
    )


def downgrade() -> None:
    op.drop_index("ix_desired_memberships_person", table_name="desired_memberships")
    op.drop_index("ix_links_target_kind_remote", table_name="links")
