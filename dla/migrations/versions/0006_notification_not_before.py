"""notification.not_before: leases and retry backoffs in real time, not in the simulated day

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column("not_before", models.types.AwareDateTime(timezone=True), nullable=True)
        )
    # Leases are now judged on not_before (real time), no longer on claimed_at.
    op.drop_index("ix_notification_status_claimed", table_name="notification")
    op.create_index(
        "ix_notification_status_not_before", "notification", ["status", "not_before"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notification_status_not_before", table_name="notification")
    op.create_index(
        "ix_notification_status_claimed", "notification", ["status", "claimed_at"], unique=False
    )
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("not_before")
