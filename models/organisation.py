"""Organisations (SIAE, networks, funders, consultants, DLA hosts) and their contacts."""

from pydantic import EmailStr
from sqlalchemy import JSON, Column, Index, func, text
from sqlmodel import Field, SQLModel

from models.enums import OrganisationKind, SiaeKind


class OrganisationBase(SQLModel):
    key: str = Field(index=True, unique=True, max_length=80)
    name: str = Field(max_length=200)
    kind: OrganisationKind
    siae_kind: SiaeKind | None = None
    siret: str | None = Field(default=None, max_length=14)
    departement: str | None = Field(default=None, max_length=3)
    # Keys of the IAE networks the structure belongs to.
    networks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class ContactBase(SQLModel):
    """A person, shared by every case they take part in (their part in each: CaseContact)."""

    email: EmailStr = Field(index=True, unique=True, max_length=254)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)


class Contact(ContactBase, table=True):
    # The desk finds a chargé·e's cases by their e-mail, compared lowercased (dla/access.py):
    # without this index every list of theirs scans every contact, twice.
    __table_args__ = (Index("ix_contact_email_lower", func.lower(text("email"))),)

    id: int | None = Field(default=None, primary_key=True)
