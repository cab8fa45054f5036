"""case revision, the planning pass's confirmation of each reminder, stale-claim index

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accompagnement") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("checked_revision", sa.Integer(), nullable=True))
    # A change to a person or an organisation finds its cases by these (models/revision.py).
    op.create_index("ix_casemember_organisation_id", "casemember", ["organisation_id"])
    op.create_index("ix_accompagnement_dla_host_id", "accompagnement", ["dla_host_id"])
    op.create_index("ix_accompagnement_coordinator_id", "accompagnement", ["coordinator_id"])
    op.create_index(
        "ix_notification_status_claimed", "notification", ["status", "claimed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notification_status_claimed", table_name="notification")
    op.drop_index("ix_accompagnement_coordinator_id", table_name="accompagnement")
    op.drop_index("ix_accompagnement_dla_host_id", table_name="accompagnement")
    op.drop_index("ix_casemember_organisation_id", table_name="casemember")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("checked_revision")
        batch.drop_column("checked_on")
    with op.batch_alter_table("accompagnement") as batch:
        batch.drop_column("revision")
