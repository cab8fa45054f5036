"""attachments of a case, and the signed links boards answer through

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import models.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BODIES = (
    "conseil_administration",
    "bureau",
    "assemblee_generale",
    "comite_pilotage",
    "comite_technique",
    "coordination_dla",
    "financeur",
)
# The type exists already on PostgreSQL (validation.body): reuse it.
BODY = sa.Enum(*BODIES, name="body").with_variant(
    postgresql.ENUM(*BODIES, name="body", create_type=False), "postgresql"
)
KINDS = ("convention_signee", "proces_verbal", "rapport_consultant", "autre")


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum(*KINDS, name="attachmentkind"), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recorded_at", models.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["accompagnement.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "kind", "sha256"),
    )
    op.create_index("ix_attachment_case_id", "attachment", ["case_id"])
    op.create_table(
        "board_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "notification_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        ),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("body", BODY, nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("issued_at", models.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("used_at", models.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", models.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["accompagnement.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_key"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_board_link_case_id", "board_link", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_board_link_case_id", table_name="board_link")
    op.drop_table("board_link")
    op.drop_index("ix_attachment_case_id", table_name="attachment")
    op.drop_table("attachment")
    sa.Enum(name="attachmentkind").drop(op.get_bind(), checkfirst=True)
