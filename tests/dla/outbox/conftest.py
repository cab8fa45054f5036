"""Fixtures of the outbox tests: a case with a consultant, a period, follow-ups and a network."""

import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dla import lifecycle
from dla.clock import FixedClock
from dla.db import transaction
from dla.mail.base import Delivery, Outcome, Outgoing
from dla.mail.eml import OutboxTransport
from dla.outbox.sending import mail_renderer
from dla.settings import Settings
from models import Case, Notification
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"
COORDINATION = "coordination@dla-test.example.org"
CONSULTANT = "consultant@cabinet.example.org"
NETWORK = "referent@reseau.example.org"


def outbox_case(departement: str = "38", **steps) -> dict:
    """Return the factory's case with dated steps, a consultant step, a period and a network."""
    data = case_data(departement=departement)
    data["organisations"].append({"cle": "reseau", "nom": "Réseau IAE", "type": "reseau"})
    data["membres"].append({"organisation": "reseau", "role": "reseau"})
    data["contacts"].append(
        {"email": NETWORK, "role": "referent", "organisation": "reseau", "resume_seul": True}
    )
    data["contacts"].append(
        {
            "email": "direction@aci-un.example.org",
            "role": "direction",
            "organisation": "aci-un",
            "nom": "Direction ACI Un",
        }
    )
    diagnostic = data["etapes"][0]
    diagnostic["debut"] = date(2024, 1, 8)
    diagnostic["fin"] = date(2024, 1, 26)
    diagnostic["taches"] = [
        {
            "cle": "note-diagnostic",
            "titre": "Note de diagnostic remise",
            "responsable": "coordination",
            "echeance": steps.get("note", date(2024, 1, 22)),
        },
        {
            "cle": "entretiens",
            "titre": "Entretiens individuels du prestataire",
            "responsable": "prestataire",
            "echeance": steps.get("entretiens", date(2024, 1, 19)),
        },
    ]
    data["periodes"] = [
        {
            "cle": "recul",
            "type": "non_intervention",
            "debut": date(2024, 1, 9),
            "fin": date(2024, 1, 12),
            "note": "Temps de recul des structures",
        }
    ]
    data["indicateurs"] = [
        {
            "cle": "postes",
            "libelle": "Postes partagés pourvus",
            "type": "quantitatif",
            "unite": "postes",
            "cible": 1,
            "fixe_le": date(2024, 1, 15),
        }
    ]
    return data


def open_stages(engine, day: date, *keys: str) -> None:
    """Open stages as the case flow would on `day`."""
    with transaction(engine) as session:
        for key in keys or ("diagnostic",):
            lifecycle.open_stage(REF, key, session=session, clock=FixedClock.on(day))


def case_id(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(Case.id).where(Case.reference == REF)).one()


def rows(engine, **where) -> list[Notification]:
    """Return the outbox rows, filtered by equal columns, ordered by due date and key."""
    with Session(engine) as session:
        query = select(Notification).order_by(Notification.due_at, Notification.key)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list(session.exec(query))


@pytest.fixture
def loaded(engine, snapshots, tmp_path) -> int:
    """The case saved with its diagnostic opened on 8 January 2024; return its id.

    Saved and opened by the session's first test, copied for the others (tests/snapshots.py).
    """

    def save_and_open() -> None:
        save_case(engine, tmp_path, outbox_case(), day=date(2024, 1, 5))
        open_stages(engine, date(2024, 1, 8))

    snapshots.build_or_copy(engine, "outbox case", save_and_open)
    return case_id(engine)


class CountingTransport:
    """Wrap the real .eml transport and count every key handed to it (thread-safe).

    `faults` injects outcomes on purpose: {key prefix: Outcome}.
    """

    def __init__(self, directory: Path, faults: dict[str, Outcome] | None = None):
        self.inner = OutboxTransport(directory)
        self.faults = faults or {}
        self.handed = Counter()
        self.lock = threading.Lock()

    async def deliver(self, batch: Sequence[Outgoing]) -> list[Delivery]:
        with self.lock:
            self.handed.update(o.key for o in batch)
        faulty = {o.key: f for o in batch for p, f in self.faults.items() if o.key.startswith(p)}
        sent = await self.inner.deliver([o for o in batch if o.key not in faulty])
        return sent + [Delivery(k, f, f"{f.value} injecté") for k, f in faulty.items()]


@pytest.fixture
def transport(tmp_path) -> CountingTransport:
    return CountingTransport(tmp_path / "outbox")


@pytest.fixture
def renderer_for(tmp_path, mail_templates):
    """Build the real message builder for a clock (templates of templates/mail/)."""
    settings = Settings(var_dir=tmp_path / "var")
    return lambda clock: mail_renderer(settings, clock, renderer=mail_templates)
