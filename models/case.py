"""The accompaniment (a DLA case) and its member organisations."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import CaseStatus, ContactRole, DemandOrigin, MemberRole
from models.types import AwareDateTime


class CaseBase(SQLModel):
    reference: str = Field(index=True, unique=True, max_length=40)
    title: str = Field(max_length=300)
    departement: str = Field(index=True, max_length=3)
    perimeter: str = Field(max_length=500)
    origin: DemandOrigin
    mutualisation_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    strategic_goals: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    operational_expectations: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    journey: str | None = Field(default=None, max_length=60)
    diagnostic_year: int | None = None
    started_on: date
    # Facts the points of vigilance and the deliverables read (demand, values, blocking points…).
    context: dict = Field(default_factory=dict, sa_column=Column(JSON))


class Case(CaseBase, table=True):
    __tablename__ = "accompagnement"

    id: int | None = Field(default=None, primary_key=True)
    # Indexed: a change to a person or an organisation finds its cases (models/revision.py).
    dla_host_id: int = Field(foreign_key="organisation.id", index=True)
    coordinator_id: int = Field(foreign_key="contact.id", index=True)
    status: CaseStatus = Field(default=CaseStatus.en_preparation, index=True)
    source_path: str | None = None
    # The case file as validated (JSON): replanning re-resolves its anchors with real decisions.
    document: dict = Field(default_factory=dict, sa_column=Column(JSON))
    # Hash of the normalised case file: loading an unchanged file is a no-op.
    source_hash: str | None = Field(default=None, max_length=64)
    # Bumped by every change to what the reminder rules read of the case (models/revision.py):
    # a reminder confirmed today at the current revision needs no re-check before sending.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The case's clock: the last day a pass advanced it. A pass on an earlier day (a replay
    # started again from the beginning) would act on stages as they stand later (dla/progress.py).
    advanced_on: date | None = None
    created_at: datetime = Field(sa_type=AwareDateTime)
    updated_at: datetime = Field(sa_type=AwareDateTime)


class CaseMember(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: MemberRole


class CaseContact(SQLModel, table=True):
    """A person's part in one case: a role held for an organisation, never shared with others."""

    __table_args__ = (UniqueConstraint("case_id", "contact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: ContactRole
    # Some people want one weekly digest rather than each reminder (a choice made per case).
    digest_only: bool = False
