"""Decisions of boards and committees on a stage or a step."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.enums import Body, Decision
from models.types import AwareDateTime


class ValidationBase(SQLModel):
    body: Body
    decision: Decision
    decided_on: date
    comment: str | None = Field(default=None, max_length=2000)
    # A postponement ("reportee") says until when.
    postponed_to: date | None = None
    recorded_by: str = Field(max_length=200)
    # How it reached us: "fichier", "cli", "prefect-ui"…
    channel: str = Field(max_length=40)


class Validation(ValidationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="step.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    recorded_at: datetime = Field(sa_type=AwareDateTime)
