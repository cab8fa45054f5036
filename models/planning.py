"""Rhythm of a case: appropriation periods, follow-ups and indicators."""

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import IndicatorKind, PeriodKind


class Period(SQLModel, table=True):
    """An appropriation or non-intervention period; it pauses the case clock."""

    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    key: str = Field(max_length=80)
    kind: PeriodKind
    start_on: date
    end_on: date
    # The intermediate deliverable (step key) the period follows, when there is one.
    after_step: str | None = Field(default=None, max_length=80)
    note: str | None = Field(default=None, max_length=1000)


class FollowUp(SQLModel, table=True):
    """A check months after implementation ends (the DLA as a resource in the long run)."""

    __table_args__ = (UniqueConstraint("case_id", "months_after"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
    months_after: int
    due_date: date = Field(index=True)
    done_on: date | None = None
    notes: str | None = Field(default=None, max_length=4000)


class IndicatorBase(SQLModel):
    key: str = Field(max_length=80)
    label: str = Field(max_length=300)
    kind: IndicatorKind
    unit: str | None = Field(default=None, max_length=40)
    target_value: float | None = None
    target_text: str | None = Field(default=None, max_length=1000)
    # When the target was agreed: the seed wants it before implementation starts.
    target_set_on: date | None = None
    measured_value: float | None = None
    measured_text: str | None = Field(default=None, max_length=1000)
    measured_on: date | None = None


class Indicator(IndicatorBase, table=True):
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)
