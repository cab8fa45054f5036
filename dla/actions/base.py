"""The frame of every coordinator action: who acts, refusals, the case, the timeline, advancing."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from dla.casefile.fields import REFERENCE_PATTERN, control_char
from dla.clock import Clock, day_problem
from dla.frenchtext import fr_date
from dla.refusals import ActionRefused, FieldProblem, shown
from dla.timeline import add_event
from models import Case, TimelineEvent

# The doors an action comes through, as the timeline names them.
CHANNELS = {
    "bureau": "le bureau",
    "cli": "la ligne de commande",
    "prefect": "l'interface Prefect",
    "fichier": "un fichier de cas",
    "lien": "un lien signé",
}


@dataclass(frozen=True)
class Actor:
    """Who acts (a person's name) and through which door (a key of `CHANNELS`)."""

    name: str
    channel: str

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")


@dataclass(frozen=True)
class Outcome:
    """What an action did, in one French sentence; `changed` is False when nothing had to be."""

    summary: str
    changed: bool = True


def refuse(field: str | None, message: str):
    """Refuse the action with one problem."""
    raise ActionRefused([FieldProblem(field, message)])


def read_day(text: str | None, *, field: str, name: str) -> date:
    """Read a date typed as JJ/MM/AAAA (or AAAA-MM-JJ); refuse anything else, or out of range."""
    text = (text or "").strip()
    day = None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    elif m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    else:
        parts = None
    if parts is not None:
        try:
            day = date(*parts)
        except ValueError:
            day = None
    if day is None:
        refuse(field, f"{name} invalide : {shown(text)} ; attendu : une date JJ/MM/AAAA")
    if (problem := day_problem(day, name)) is not None:
        refuse(field, problem)
    return day


def text_problem(
    value: str | None, *, field: str, name: str, limit: int, lines: bool = False
) -> FieldProblem | None:
    """Return what is wrong with a typed text (empty, too long, control characters), or None."""
    value = (value or "").strip()
    if not value:
        return FieldProblem(field, f"{name} : champ vide ; attendu : un texte")
    if len(value) > limit:
        return FieldProblem(field, f"{name} : {len(value)} caractères ; attendu : {limit} au plus")
    if control_char(value, "\n\t" if lines else "") is not None:
        return FieldProblem(
            field,
            f"{name} : caractère de contrôle refusé dans {shown(value)} ; attendu : "
            + ("du texte" if lines else "une seule ligne de texte"),
        )
    return None


def open_case(reference: str, *, session: Session, revision: int | None = None) -> Case:
    """Return the case, its row locked for the transaction; refuse an unknown or changed one.

    `revision` is the case revision the person saw (a form's hidden field): if the case has
    moved since, the action is refused rather than applied over changes they did not see.
    """
    if not isinstance(reference, str) or not re.match(REFERENCE_PATTERN, reference):
        refuse(
            "reference",
            f"référence invalide : {shown(reference)} ; attendu : majuscules, chiffres et "
            "tirets, 3 à 40 caractères (ex. DLA38-2006-01)",
        )
    # Locked like every step that changes a case (dla/lifecycle.py get_case).
    query = select(Case).where(Case.reference == reference).with_for_update(key_share=True)
    case = session.exec(query).first()
    if case is None:
        refuse("reference", f"cas inconnu : {shown(reference)}")
    if revision is not None and revision != case.revision:
        recent = session.exec(
            select(TimelineEvent)
            .where(TimelineEvent.case_id == case.id)
            .order_by(col(TimelineEvent.id).desc())
            .limit(20)
        ).all()
        # The person behind the change (an action names its door), not the pass it set off.
        latest = next((e for e in recent if (e.data or {}).get("channel")), None) or next(
            iter(recent), None
        )
        who = latest.actor if latest else "une autre personne"
        when = f", le {fr_date(latest.at.date())} : {latest.summary}" if latest else ""
        refuse(
            None,
            f"modifié entre-temps par {who}{when[:200]} ; rechargez la page et recommencez "
            f"(révision {case.revision}, formulaire en révision {revision})",
        )
    return case


def log(
    case: Case,
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    kind: str,
    summary: str,
    data: dict | None = None,
    key: str | None = None,
) -> None:
    """Put the action on the case's timeline (who, when, which door) and move its revision."""
    add_event(
        session,
        case_id=case.id,
        at=clock.now(),
        kind=kind,
        summary=summary,
        actor=actor.name,
        data={**(data or {}), "channel": actor.channel},
        key=key,
    )
    bump_revision(session, case.id, at=clock.now())
    session.expire(case, ["revision", "updated_at"])


def bump_revision(session: Session, case_id: int, *, at: datetime | None = None) -> None:
    """Move the case's revision on by one (and its update time, when given)."""
    table = Case.__table__
    values = {"revision": table.c.revision + 1} | ({"updated_at": at} if at else {})
    # In SQL (revision + 1), never from the loaded value (models/revision.py).
    session.execute(update(table).where(table.c.id == case_id).values(**values))


def advance_after(engine: Engine, reference: str, clock: Clock, *, render: bool = False):
    """Let the case take the action into account now, not at the next daily pass.

    Runs the plain daily step for this case (`dla.progress.advance`), after the action's
    transaction is committed; `render` also renders the deliverables of its open stages.
    Returns where the case stands.
    """
    from dla import progress

    return progress.advance(engine, reference, clock, progress.plain_steps(engine, render))
