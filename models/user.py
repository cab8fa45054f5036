"""Accounts of the desk (web/): people, their explicit case assignments, login throttling."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import AwareDateTime


class UserRole(StrEnum):
    charge_mission = "charge_mission"
    coordination = "coordination"
    admin = "admin"


class User(SQLModel, table=True):
    """A person who logs in to the desk; `user` is a reserved word in PostgreSQL."""

    __tablename__ = "desk_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)  # stored lowercased
    name: str = Field(max_length=200)
    role: UserRole
    # The départements a `coordination` account oversees (a regional DLA names several).
    departements: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_hash: str = Field(max_length=300)
    active: bool = True
    # Secret of the personal .ics subscription URL; a new one revokes the old.
    calendar_token: str | None = Field(default=None, unique=True, max_length=64)
    created_at: datetime = Field(sa_type=AwareDateTime)


class CaseAssignment(SQLModel, table=True):
    """A case given to a chargé·e de mission besides the ones they coordinate."""

    __tablename__ = "desk_assignment"
    __table_args__ = (UniqueConstraint("user_id", "case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="desk_user.id", index=True)
    case_id: int = Field(foreign_key="accompagnement.id", index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account or per address, in the database so every process sees them."""

    __tablename__ = "desk_throttle"

    key: str = Field(primary_key=True, max_length=300)  # "compte:<email>" or "ip:<address>"
    failures: int = 0
    last_failure_at: datetime = Field(sa_type=AwareDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
