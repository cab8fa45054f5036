"""case clock: the last day a pass advanced the case (replays never go back before it);
statuses left "awaiting validation" after their gate passed are settled

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accompagnement") as batch:
        batch.add_column(sa.Column("advanced_on", sa.Date(), nullable=True))
    # A case whose gate passed stayed "awaiting validation" until its next stage opened: settle
    # the statuses left that way (passes now settle the status on the stages every time).
    op.execute(
        "UPDATE accompagnement SET status = 'en_cours' WHERE status = 'en_attente_validation' "
        "AND NOT EXISTS (SELECT 1 FROM stage WHERE stage.case_id = accompagnement.id "
        "AND stage.status = 'en_attente_validation')"
    )


def downgrade() -> None:
    with op.batch_alter_table("accompagnement") as batch:
        batch.drop_column("advanced_on")
