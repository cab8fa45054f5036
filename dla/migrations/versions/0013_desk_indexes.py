"""desk indexes: contact by lower(email); step by (status, due_date) and (case_id, status,
due_date); timeline events by (case_id, kind)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_email_lower", "contact", [sa.text("lower(email)")])
    op.create_index("ix_step_status_due_date", "step", ["status", "due_date"])
    op.create_index("ix_step_case_id_status_due_date", "step", ["case_id", "status", "due_date"])
    op.drop_index("ix_step_case_id", table_name="step")  # the new one's prefix
    op.create_index("ix_timelineevent_case_id_kind", "timelineevent", ["case_id", "kind"])
    op.drop_index("ix_timelineevent_case_id", table_name="timelineevent")


def downgrade() -> None:
    op.create_index("ix_timelineevent_case_id", "timelineevent", ["case_id"])
    op.drop_index("ix_timelineevent_case_id_kind", table_name="timelineevent")
    op.create_index("ix_step_case_id", "step", ["case_id"])
    op.drop_index("ix_step_case_id_status_due_date", table_name="step")
    op.drop_index("ix_step_status_due_date", table_name="step")
    op.drop_index("ix_contact_email_lower", table_name="contact")
