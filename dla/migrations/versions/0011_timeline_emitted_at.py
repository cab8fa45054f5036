"""timelineevent.emitted_at: when the row was mirrored as a Prefect event (null: not yet)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timelineevent") as batch:
        batch.add_column(
            sa.Column("emitted_at", models.types.AwareDateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_timelineevent_emitted_at", ["emitted_at"], unique=False)
    # The history written before this version stays on the timeline (desk, documents) and is
    # not sent to Prefect in one flood: Prefect mirrors what happens from now on.
    op.execute(sa.text("UPDATE timelineevent SET emitted_at = CURRENT_TIMESTAMP"))


def downgrade() -> None:
    with op.batch_alter_table("timelineevent") as batch:
        batch.drop_index("ix_timelineevent_emitted_at")
        batch.drop_column("emitted_at")
