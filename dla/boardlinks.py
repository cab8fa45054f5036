"""Signed links a board's representative answers through (issued by dla/boardsigner.py with
each validation reminder): bound to case, stage, structure, body and recipient, used once,
revocable, expiring after the gate's deadline plus a grace. Only a hash of each token is stored.

The token is derived from the server's secret and a random nonce kept with the link: a retried
e-mail carries the same link, and whoever reads the database alone cannot rebuild one.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from dla.actions.base import ActionRefused, Actor, FieldProblem, bump_revision, open_case
from dla.clock import Clock
from dla.frenchtext import fr_date
from dla.timeline import add_event
from models import BoardLink, Organisation, Stage
from models.enums import StageStatus
from models.labels import label

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # 256 bits, base64url without padding
COORDINATION = "coordination DLA"


class LinkRefused(Exception):
    """A link that cannot be used (unknown, altered, used, revoked, expired): a French page."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def derive_token(secret: str, nonce: str) -> str:
    """Return the link's token: HMAC-SHA256 of its nonce under the server's secret."""
    mac = hmac.new(secret.encode(), f"lien-instance:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """Return what is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


ALTERED = (
    "Ce lien n'est pas valable : il est incomplet ou a été modifié. Vérifiez que l'adresse "
    "copiée est entière, ou demandez un nouveau lien à la coordination DLA."
)


def open_link(token: str, *, session: Session, secret: str, today: date) -> BoardLink:
    """Return the link a token opens; refuse an unknown, altered, used, revoked or expired one."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise LinkRefused(404, ALTERED)
    link = session.exec(select(BoardLink).where(BoardLink.token_hash == token_hash(token))).first()
    # Compared in constant time against the token the secret gives: a row alone is not enough.
    if link is None or not hmac.compare_digest(derive_token(secret, link.nonce), token):
        raise LinkRefused(404, ALTERED)
    if link.used_at is not None:
        raise LinkRefused(
            410,
            f"Ce lien a déjà servi : la décision a été enregistrée le {fr_date(link.used_at.date())}. "
            "Pour la corriger, adressez-vous à la coordination DLA.",
        )
    if link.revoked_at is not None:
        raise LinkRefused(
            410,
            f"Ce lien a été désactivé le {fr_date(link.revoked_at.date())} "
            f"({link.revoked_reason or 'révoqué'}). Adressez-vous à la coordination DLA.",
        )
    if link.expires_on < today:
        raise LinkRefused(
            410,
            f"Ce lien a expiré le {fr_date(link.expires_on)}. Adressez-vous à la coordination "
            "DLA pour transmettre la décision.",
        )
    stage = session.get(Stage, link.stage_id)
    if stage is None or stage.status is StageStatus.close:
        raise LinkRefused(
            410, "L'étape est close : la décision de votre instance n'est plus attendue."
        )
    return link


def use_link(link: BoardLink, *, session: Session, at: datetime) -> None:
    """Mark the link used, once: a second submission (another tab, a replay) is refused.

    The board's other links to this gate stop working too: its decision is in.
    """
    table = BoardLink.__table__
    done = session.execute(
        update(table)
        .where(table.c.id == link.id, table.c.used_at.is_(None), table.c.revoked_at.is_(None))
        .values(used_at=at)
    )
    if done.rowcount != 1:
        raise LinkRefused(410, "Ce lien a déjà servi : la décision a déjà été enregistrée.")
    org = table.c.organisation_id
    session.execute(
        update(table)
        .where(
            table.c.id != link.id,
            table.c.stage_id == link.stage_id,
            org.is_(None) if link.organisation_id is None else org == link.organisation_id,
            table.c.body == link.body,
            table.c.used_at.is_(None),
            table.c.revoked_at.is_(None),
        )
        .values(revoked_at=at, revoked_reason="décision déjà saisie par lien")
    )
    session.expire(link)


def revoke_link(
    reference: str,
    link_id: int,
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> BoardLink:
    """Stop a link from working (a forwarded e-mail, a representative who left); logged."""
    case = open_case(reference, session=session, revision=revision)
    link = session.exec(
        select(BoardLink).where(BoardLink.id == link_id, BoardLink.case_id == case.id)
    ).first()
    if link is None:
        raise ActionRefused([FieldProblem("lien", f"lien inconnu pour ce cas : n° {link_id}")])
    if link.used_at is not None or link.revoked_at is not None:
        when = link.used_at or link.revoked_at
        state = "déjà utilisé" if link.used_at else "déjà désactivé"
        raise ActionRefused(
            [FieldProblem("lien", f"lien n° {link_id} {state} le {fr_date(when.date())}")]
        )
    link.revoked_at, link.revoked_by = clock.now(), actor.name[:200]
    link.revoked_reason = f"révoqué par {actor.name}"[:200]
    session.add(link)
    add_event(
        session,
        case_id=case.id,
        at=clock.now(),
        kind="link.revoked",
        actor=actor.name[:200],
        summary=f"Lien de décision révoqué : {describe(link, session=session)}",
        data={"link_id": link.id, "channel": actor.channel},
        key=f"link:{link.id}:revoked",
    )
    bump_revision(session, case.id)
    return link


def describe(link: BoardLink, *, session: Session) -> str:
    """Say in French what a link is for: stage, structure and body, recipient."""
    stage = session.get(Stage, link.stage_id)
    org = session.get(Organisation, link.organisation_id) if link.organisation_id else None
    return (
        f"{stage.title if stage else '?'} — {org.name if org else COORDINATION} "
        f"({label(link.body)}), envoyé à {link.recipient}"
    )


@dataclass(frozen=True)
class LinkRow:
    link: BoardLink
    stage_title: str
    structure: str
    state: str
    active: bool


def case_links(case_id: int, *, session: Session, today: date) -> list[LinkRow]:
    """Return a case's links with their state in French, newest first."""
    rows = session.exec(
        select(BoardLink, Stage.title, Organisation.name)
        .join(Stage, col(Stage.id) == BoardLink.stage_id)
        .join(Organisation, col(Organisation.id) == BoardLink.organisation_id, isouter=True)
        .where(BoardLink.case_id == case_id)
        .order_by(col(BoardLink.issued_at).desc(), col(BoardLink.id).desc())
    ).all()
    return [
        LinkRow(link, title, name or COORDINATION, *_state(link, today))
        for link, title, name in rows
    ]


def _state(link: BoardLink, today: date) -> tuple[str, bool]:
    if link.used_at is not None:
        return f"utilisé le {fr_date(link.used_at.date())}", False
    if link.revoked_at is not None:
        return f"désactivé le {fr_date(link.revoked_at.date())} ({link.revoked_reason})", False
    if link.expires_on < today:
        return f"expiré le {fr_date(link.expires_on)}", False
    return f"valable jusqu'au {fr_date(link.expires_on)}", True
