"""digests of the addresses erased at their owner's request (dla contact forget)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from models.types import AwareDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forgotten_address",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("forgotten_at", AwareDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("digest"),
    )


def downgrade() -> None:
    op.drop_table("forgotten_address")
