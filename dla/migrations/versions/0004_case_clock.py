"""case clock: the last day a pass advanced the case (replays never go back before it)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accompagnement") as batch:
        batch.add_column(sa.Column("advanced_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accompagnement") as batch:
        batch.drop_column("advanced_on")
