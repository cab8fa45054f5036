"""reminder plans: each case's last planning (revision, day, next dates); checked_until

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminderplan",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("replan_on", sa.Date(), nullable=True),
        sa.Column("next_send_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["accompagnement.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("checked_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("checked_until")
    op.drop_table("reminderplan")
