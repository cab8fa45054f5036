"""a contact's phone number; a case may end abandoned (status abandonne)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # SQLite stores the status as text (no constraint): only PostgreSQL's type lists values.
        op.execute("ALTER TYPE casestatus ADD VALUE IF NOT EXISTS 'abandonne'")


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: an abandoned case reads as closed instead.
    op.execute("UPDATE accompagnement SET status = 'close' WHERE status = 'abandonne'")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("phone")
