"""The frame the actions of this branch use: who acts, French refusals, the case and its revision.

A stand-in for the shared `dla.actions.base` (issue 18's design): same names, same meaning, so
that aligning on it is a change of import.
"""

import re
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from dla.casefile.fields import REFERENCE_PATTERN
from models import Case, TimelineEvent


@dataclass(frozen=True)
class Actor:
    """Who acts and through which door (mirrors the actions' Actor: bureau, cli, lien…)."""

    name: str
    channel: str


@dataclass(frozen=True)
class FieldProblem:
    field: str | None  # the form field or option at fault; None for the case as a whole
    message: str


class ActionRefused(Exception):
    """Bad input to an action; nothing was written."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


def open_case(reference: str, *, session: Session, revision: int | None = None) -> Case:
    """Return the case; refuse an unknown one, or a form made on an older revision of it."""
    if not isinstance(reference, str) or not re.match(REFERENCE_PATTERN, reference):
        raise ActionRefused([FieldProblem("référence", f"référence invalide : {reference!r:.60}")])
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise ActionRefused([FieldProblem("référence", f"cas inconnu : {reference!r}")])
    if revision is not None and revision != case.revision:
        who = session.exec(
            select(TimelineEvent.actor)
            .where(TimelineEvent.case_id == case.id)
            .order_by(col(TimelineEvent.id).desc())
            .limit(1)
        ).first()
        raise ActionRefused(
            [
                FieldProblem(
                    None,
                    f"modifié entre-temps par {who or 'une autre personne'} (révision "
                    f"{case.revision}, formulaire ouvert à la révision {revision}) : "
                    "rechargez la page, rien n'a été enregistré",
                )
            ]
        )
    return case


def bump_revision(session: Session, case_id: int) -> None:
    """Move the case's revision on (in SQL: a stale object must not rewind it)."""
    table = Case.__table__
    session.execute(
        update(table).where(table.c.id == case_id).values(revision=table.c.revision + 1)
    )
