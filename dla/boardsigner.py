"""Issue the boards' signed links as validation reminders are sent (one per reminder).

A retried message carries the same link: the token is derived again from the link's nonce.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from dla.boardlinks import derive_token, token_hash
from dla.db import transaction
from dla.orgs import member_keys
from dla.outbox.store import from_json
from dla.secret import secret_key
from dla.settings import Settings
from models import BoardLink, Stage
from models.enums import Body, Rule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Issued:
    url: str
    expires_on: date


@dataclass(frozen=True)
class Signer:
    """What issuing links needs: the secret, the grace after the deadline, the desk's address.

    The doors that send reminders (`dla remind`, the reminders flow) build one from the settings.
    """

    secret: str
    grace_days: int
    public_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "Signer":
        return cls(
            secret_key(settings), settings.board_link_grace_days, settings.resolved_public_url
        )

    def __call__(self, engine: Engine, rows: list, now: datetime) -> dict[str, Issued]:
        """Give each awaited-validation reminder its signed link (made once per reminder).

        A failure here leaves the reminders without a link rather than stopping them.
        """
        wanted = [r for r in rows if r.rule == Rule.validation_attendue]
        if not wanted:
            return {}
        try:
            with transaction(engine) as session:
                return self._issue(session, wanted, now)
        except SQLAlchemyError as exc:
            log.warning("liens de décision indisponibles : %s", exc)
            return {}

    def _issue(self, session: Session, rows: list, now: datetime) -> dict[str, Issued]:
        keys = [r.key for r in rows]
        links = {
            link.notification_key: link
            for link in session.exec(
                select(BoardLink).where(col(BoardLink.notification_key).in_(keys))
            )
        }
        issued = {}
        for row in rows:
            link = links.get(row.key) or _new_link(session, row, self, now)
            if link is None or link.expires_on < now.date():
                continue
            token = derive_token(self.secret, link.nonce)
            issued[row.key] = Issued(f"{self.public_url}/lien/{token}", link.expires_on)
        return issued


def _new_link(session: Session, row, signer: Signer, now: datetime) -> BoardLink | None:
    context = from_json(row.payload.get("context", {}))
    body, deadline = context.get("body_key"), context.get("deadline")
    if body not in set(Body) or not isinstance(deadline, date):
        return None  # planned before links existed: the reminder goes without one
    stage = session.exec(
        select(Stage).where(Stage.case_id == row.case_id, Stage.key == context.get("stage_key"))
    ).first()
    members = {key: id_ for id_, key in member_keys(row.case_id, session=session).items()}
    structure = context.get("structure_key")
    if stage is None or (structure is not None and structure not in members):
        return None
    nonce = secrets.token_hex(16)
    link = BoardLink(
        notification_key=row.key,
        token_hash=token_hash(derive_token(signer.secret, nonce)),
        nonce=nonce,
        case_id=row.case_id,
        stage_id=stage.id,
        organisation_id=members.get(structure) if structure else None,
        body=Body(body),
        recipient=row.recipient,
        recipient_name=(row.payload.get("to_name") or None),
        issued_at=now,
        expires_on=deadline + timedelta(days=signer.grace_days),
    )
    session.add(link)
    session.flush()
    return link
