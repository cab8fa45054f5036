"""Files people attach to a case, and the signed links boards answer through."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import AttachmentKind, Body
from models.types import AwareDateTime


class Attachment(SQLModel, table=True):
    """A document attached to a case (signed convention, minutes, report), stored under var/."""

    # The same content attached twice as the same kind is one attachment (replays add none).
    __table_args__ = (UniqueConstraint("case_id", "kind", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    # The stage it belongs to, when it has one (the minutes of a board's decision).
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    kind: AttachmentKind
    title: str = Field(max_length=200)
    # As the person named it: shown and offered on download, never used as a path.
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=500)  # relative to var_dir, built from ids and codes only
    recorded_by: str = Field(max_length=200)
    channel: str = Field(max_length=40)
    recorded_at: datetime = Field(sa_type=AwareDateTime)


class BoardLink(SQLModel, table=True):
    """A signed link a board's representative answers through; only the token's hash is kept.

    One link per validation reminder (`notification_key`): a retried message carries the same
    link, each weekly reminder its own. Used once; the coordinator may revoke it.
    """

    __tablename__ = "board_link"

    id: int | None = Field(default=None, primary_key=True)
    notification_key: str = Field(unique=True, max_length=300)
    token_hash: str = Field(unique=True, max_length=64)
    # Mixed with the server's secret to derive the token again (a retried e-mail, same link).
    nonce: str = Field(max_length=32)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    stage_id: int = Field(foreign_key="stage.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    body: Body
    recipient: str = Field(max_length=254)
    recipient_name: str | None = Field(default=None, max_length=200)
    issued_at: datetime = Field(sa_type=AwareDateTime)
    expires_on: date
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    revoked_by: str | None = Field(default=None, max_length=200)
    # Why it stopped working before its time, in French (revoked, or the board already answered).
    revoked_reason: str | None = Field(default=None, max_length=200)
