"""What a case leaves behind: deliverables, outbox notifications and its timeline."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import NotificationStatus
from models.types import AwareDateTime


class Deliverable(SQLModel, table=True):
    """One generated version of a phase deliverable in one format."""

    __table_args__ = (UniqueConstraint("case_id", "kind", "fmt", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    kind: str = Field(max_length=60)
    fmt: str = Field(max_length=10)
    version: int
    template_version: str = Field(max_length=64)
    data_hash: str = Field(max_length=64)
    path: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=AwareDateTime)


class Notification(SQLModel, table=True):
    """An outbox row; its idempotency key (rule, target, occurrence, recipient) is unique."""

    __table_args__ = (
        Index("ix_notification_status_due", "status", "due_at"),
        # Each claim first looks for expired leases: without it, a scan of the rows claimed.
        Index("ix_notification_status_not_before", "status", "not_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=300)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    rule: str = Field(max_length=60)
    recipient: str = Field(max_length=254)
    due_at: datetime = Field(sa_type=AwareDateTime)
    status: NotificationStatus = NotificationStatus.planned
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)  # simulated time
    # Real (wall-clock) instant before which no sweep may take the row: the end of a claim's
    # lease, or of a retry's backoff. The simulated day decides what is due, never this.
    not_before: datetime | None = Field(default=None, sa_type=AwareDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    message_id: str | None = Field(default=None, max_length=300)
    last_error: str | None = Field(default=None, max_length=1000)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    # The day the planning pass last found the row warranted, and the case revision it read;
    # the rules warrant it up to `checked_until` while that revision stands (dla/outbox/validity.py).
    checked_on: date | None = None
    checked_revision: int | None = None
    checked_until: date | None = None


class ReminderPlan(SQLModel, table=True):
    """When a case's reminders were last planned, and when they must be planned again.

    The daily pass plans only the cases whose revision moved since, or whose dates came
    (dla/outbox/validity.py); the others' rows are already those a full pass would write.
    """

    case_id: int = Field(foreign_key="accompagnement.id", primary_key=True)
    revision: int
    planned_on: date
    replan_on: date | None = None  # a rule starts to apply that day
    next_send_on: date | None = None  # the first reminder left out of the window


class TimelineEvent(SQLModel, table=True):
    """An append-only entry of a case's history; `key` makes replays idempotent."""

    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        # A case's events, and those of one kind (the inbox's "stage.awaiting" of every
        # waiting case, the case page's latest vigilance review).
        Index("ix_timelineevent_case_id_kind", "case_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id")
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=60)
    actor: str = Field(max_length=200)
    summary: str = Field(max_length=2000)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))
    key: str | None = Field(default=None, max_length=300)
    # When the row was sent to Prefect as an event (dla/case_events.py); null until then.
    emitted_at: datetime | None = Field(default=None, sa_type=AwareDateTime, index=True)


class ForgottenAddress(SQLModel, table=True):
    """An address erased at its owner's request, kept only as a SHA-256 digest.

    A case file that brings the address back is refused (dla/privacy/forgotten.py); the digest
    does not lead to the pseudonym, which is random.
    """

    __tablename__ = "forgotten_address"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64, unique=True)
    forgotten_at: datetime = Field(sa_type=AwareDateTime)
