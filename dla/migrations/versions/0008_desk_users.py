"""desk accounts: users, explicit case assignments, login throttling

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("charge_mission", "coordination", "admin", name="userrole"),
            nullable=False,
        ),
        sa.Column("departements", sa.JSON(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("calendar_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", models.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("calendar_token"),
    )
    op.create_index("ix_desk_user_email", "desk_user", ["email"], unique=True)
    op.create_table(
        "desk_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["accompagnement.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["desk_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "case_id"),
    )
    op.create_index("ix_desk_assignment_case_id", "desk_assignment", ["case_id"])
    op.create_index("ix_desk_assignment_user_id", "desk_assignment", ["user_id"])
    op.create_table(
        "desk_throttle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "last_failure_at", models.types.AwareDateTime(timezone=True), nullable=False
        ),
        sa.Column("locked_until", models.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("desk_throttle")
    op.drop_index("ix_desk_assignment_user_id", table_name="desk_assignment")
    op.drop_index("ix_desk_assignment_case_id", table_name="desk_assignment")
    op.drop_table("desk_assignment")
    op.drop_index("ix_desk_user_email", table_name="desk_user")
    op.drop_table("desk_user")
    sa.Enum(name="userrole").drop(op.get_bind(), checkfirst=True)
