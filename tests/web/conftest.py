"""The desk on a real database: two cases of two people, accounts of each role, a document."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from dla.clock import FixedClock
from dla.db import transaction
from dla.settings import Settings
from dla.users import add_user
from models import Case, Deliverable, UserRole
from models.types import PARIS
from tests.factories import case_data, save_case
from web.app import create_app

TODAY = date(2024, 3, 1)
PASSWORD = "un mot de passe assez long"
MINE = "DLA99-2024-01"
OTHER = "DLA13-2024-02"
CHARGEE = "coordination@dla-test.example.org"  # the coordinator contact of MINE
OTHER_COORDINATOR = "coordination@autre-dla.example.org"
PDF = b"%PDF-1.4\n% document de test\n%%EOF\n"


def other_case() -> dict:
    """A case of another DLA, in another département, whose title carries markup."""
    data = case_data(
        reference=OTHER,
        departement="13",
        titre="<script>alert(1)</script> Fusion & co",
        porteur_dla="autre-dla",
        coordination=OTHER_COORDINATOR,
    )
    data["organisations"][0] = {"cle": "autre-dla", "nom": "Autre DLA", "type": "porteur_dla"}
    data["contacts"][0] = {
        "email": OTHER_COORDINATOR,
        "role": "coordination_dla",
        "organisation": "autre-dla",
    }
    return data


@dataclass
class Desk:
    engine: object
    settings: Settings
    var_dir: Path
    clients: list[TestClient] = field(default_factory=list)

    def client(self, email: str | None = None, password: str = PASSWORD) -> TestClient:
        """Return a browser-like client, logged in as `email` when given."""
        client = TestClient(create_app(self.settings, self.engine), follow_redirects=False)
        # Opened for the whole test: one event loop thread for all its requests, not one each.
        self.clients.append(client.__enter__())
        if email is not None:
            response = login(client, email, password)
            assert response.status_code == 303, response.text
        return client

    def close(self) -> None:
        """Close the clients this test opened."""
        for client in self.clients:
            client.__exit__(None, None, None)
        self.clients.clear()

    def case_id(self, reference: str) -> int:
        with Session(self.engine) as session:
            return session.exec(select(Case.id).where(Case.reference == reference)).one()

    def add_document(self, reference: str, relative: str, content: bytes, fmt: str = "pdf") -> int:
        """Record a document version of the case, its file written under var/ at `relative`."""
        target = self.var_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        with transaction(self.engine) as session:
            doc = Deliverable(
                case_id=self.case_id(reference),
                kind="note_diagnostic",
                fmt=fmt,
                version=1 + session.exec(select(Deliverable.id)).all().__len__(),
                template_version="t",
                data_hash="h",
                path=relative,
                created_at=datetime(2024, 2, 1, 9, tzinfo=PARIS),
            )
            session.add(doc)
            session.flush()
            return doc.id


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, email: str, password: str = PASSWORD):
    token = csrf_of(client.get("/connexion").text)
    return client.post(
        "/connexion", data={"email": email, "password": password, "csrf": token, "suite": "/"}
    )


def two_cases_and_four_accounts(engine, directory: Path) -> None:
    """Save MINE and OTHER, and the accounts of each role, as of TODAY."""
    save_case(engine, directory)
    save_case(engine, directory, other_case())
    with transaction(engine) as session:
        clock = FixedClock.on(TODAY)
        for email, role, departements in (
            (CHARGEE, UserRole.charge_mission, []),
            (OTHER_COORDINATOR, UserRole.charge_mission, []),
            ("region13@example.org", UserRole.coordination, ["13"]),
            ("admin@example.org", UserRole.admin, []),
        ):
            add_user(
                session=session,
                clock=clock,
                email=email,
                name=email.split("@")[0],
                role=role,
                password=PASSWORD,
                departements=departements,
            )


@pytest.fixture
def desk(engine, database_url, snapshots, tmp_path) -> Iterator[Desk]:
    """The desk's two cases and four accounts (saved by the first test, copied after)."""
    var_dir = tmp_path / "var"
    snapshots.build_or_copy(engine, "desk", lambda: two_cases_and_four_accounts(engine, tmp_path))
    settings = Settings(
        var_dir=var_dir, database_url=database_url, desk_today=TODAY, secret_key="k" * 40
    )
    desk = Desk(engine, settings, var_dir)
    yield desk
    desk.close()


def stage_of(document: dict, key: str) -> dict:
    """Return a stage of a case file's document by its key."""
    return next(s for s in document["etapes"] if s["cle"] == key)


def task_of(document: dict, stage: str, key: str) -> dict:
    """Return a task of a case file's document by its stage and its key."""
    return next(t for t in stage_of(document, stage)["taches"] if t["cle"] == key)


def loader_refusal(desk: Desk, edit, directory: Path) -> list[str]:
    """Export MINE as its case file, `edit` the document, load it back on the desk's day; return
    the loader's French refusal (the file's door)."""
    from dla.casefile.export import export_case
    from dla.casefile.loader import load_case_file
    from dla.casefile.problems import CaseFileError
    from dla.casefile.yamldump import dump_case_file
    from dla.cases import save_plan

    with Session(desk.engine) as session:
        document = export_case(MINE, session=session).document
    edit(document)
    path = directory / "dossier-modifie.yaml"
    path.write_text(dump_case_file(document), encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        plan = load_case_file(path, today=TODAY)
        with transaction(desk.engine) as session:
            save_plan(plan, session=session, clock=FixedClock.on(TODAY), actor="t", reason="t")
    return [p.message for p in caught.value.problems]
