"""plan indexes: the shadow's memberships by account, HR's enrollments by course

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

The streaming plan reads HR's memberships person by person and looks each up in the
shadow. By the shadow's key (group first) every lookup lands far from the one before;
`ix_shadow_memberships_user` on (target, user_remote_id, group_kind, group_remote_id,
role) holds each account's memberships together, so the lookups follow the people (whose
accounts syncd creates in employee order) and are answered from the index alone. It reads
HR's enrollments by course and employee, the order it shows them in:
`ix_desired_enrollments_course` on (course_code, employee_id, due_date) gives them in that
order, nothing left to sort, each course's lookups in the shadow in the shadow's order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_shadow_memberships_user",
        "shadow_memberships",
        ["target", "user_remote_id", "group_kind", "group_remote_id", "role"],
    )
    op.create_index(
        "ix_desired_enrollments_course",
        "desired_enrollments",
        ["course_code", "employee_id", "due_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_desired_enrollments_course", table_name="desired_enrollments")
    op.drop_index("ix_shadow_memberships_user", table_name="shadow_memberships")
