"""Stages (the five moments, possibly split in phases), their steps and validation needs."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import Body, GateRule, Moment, StageStatus, StepStatus
from models.types import AwareDateTime


class StageBase(SQLModel):
    key: str = Field(max_length=60)
    moment: Moment
    phase: int = 1
    position: int
    title: str = Field(max_length=300)
    planned_start: date
    planned_end: date
    gate_rule: GateRule = GateRule.tous
    gate_quorum: int | None = None
    # Working days after the gate's deadline before a waiting validation times out.
    gate_grace_days: int = 10


class Stage(StageBase, table=True):
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    status: StageStatus = Field(default=StageStatus.a_venir)
    opened_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    # Stages planned to end before this one begins (fixed at load; overlapping ones run alongside).
    waits_for: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StepBase(SQLModel):
    key: str = Field(max_length=80)
    title: str = Field(max_length=300)
    # A member role ("prestataire"), "coordination" or an organisation key.
    owner: str = Field(max_length=80)
    due_date: date = Field(index=True)
    # The deadline as written (absolute date or anchor + offset), kept to recompute moves.
    deadline: dict = Field(default_factory=dict, sa_column=Column(JSON))
    deliverable: str | None = Field(default=None, max_length=60)


class Step(StepBase, table=True):
    __table_args__ = (
        UniqueConstraint("case_id", "key"),
        # The desk's open tasks by date (late, coming): the few open among the many done.
        Index("ix_step_status_due_date", "status", "due_date"),
        # A case's steps, and its open ones by date (the list's "en retard" filter): with the
        # index above alone, SQLite's planner (no statistics) would pick it for one case too.
        Index("ix_step_case_id_status_due_date", "case_id", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id")
    stage_id: int = Field(foreign_key="stage.id", index=True)
    status: StepStatus = Field(default=StepStatus.a_faire)
    done_on: date | None = None


class ValidationRequirement(SQLModel, table=True):
    """Who must validate a stage's gate (step_id empty) or a single step."""

    __table_args__ = (UniqueConstraint("stage_id", "step_id", "organisation_id", "body"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="step.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    body: Body
