"""Builders of valid test data; tests change one thing to make it invalid."""

import copy
from datetime import date
from pathlib import Path

import yaml

_MINIMAL = {
    "reference": "DLA99-2024-01",
    "titre": "Poste partagé de chargé·e de relations entreprises",
    "departement": "38",
    "porteur_dla": "dla-test",
    "coordination": "coordination@dla-test.example.org",
    "perimetre": "Deux SIAE d'un bassin d'emploi",
    "origine": "collectif",
    "mutualisations": ["poste_partage"],
    "annee_diagnostic": 2024,
    "debut": date(2024, 1, 8),
    "organisations": [
        {"cle": "dla-test", "nom": "DLA de test", "type": "porteur_dla"},
        {
            "cle": "aci-un",
            "nom": "ACI Un",
            "type": "siae",
            "siae": "ACI",
            "siret": "73282932000074",
        },
        {"cle": "ai-deux", "nom": "AI Deux", "type": "siae", "siae": "AI"},
        {"cle": "cabinet", "nom": "Cabinet conseil", "type": "prestataire"},
    ],
    "contacts": [
        {
            "email": "coordination@dla-test.example.org",
            "role": "coordination_dla",
            "organisation": "dla-test",
        },
        {"email": "presidence@aci-un.example.org", "role": "presidence", "organisation": "aci-un"},
        {
            "email": "presidence@ai-deux.example.org",
            "role": "presidence",
            "organisation": "ai-deux",
        },
        {
            "email": "consultant@cabinet.example.org",
            "role": "consultant",
            "organisation": "cabinet",
        },
    ],
    "membres": [
        {"organisation": "aci-un", "role": "porteur"},
        {"organisation": "ai-deux", "role": "membre"},
        {"organisation": "cabinet", "role": "prestataire"},
    ],
    "etapes": [
        {
            "cle": "diagnostic",
            "temps": "diagnostic",
            "titre": "Diagnostic partagé",
            "taches": [
                {
                    "cle": "note-diagnostic",
                    "titre": "Note de diagnostic remise",
                    "responsable": "coordination",
                    "echeance": {"apres": "debut:diagnostic", "delai": 10, "unite": "jours_ouvres"},
                }
            ],
            "validation": {
                "regle": "tous",
                "par": [{"structure": "@membres", "instance": "conseil_administration"}],
            },
        },
        {
            "cle": "mise-en-oeuvre",
            "temps": "mise_en_oeuvre",
            "titre": "Mise en œuvre",
            "taches": [
                {
                    "cle": "recrutement",
                    "titre": "Recrutement du poste partagé",
                    "responsable": "porteur",
                    "echeance": {"apres": "validation:diagnostic", "delai": 2, "unite": "mois"},
                }
            ],
        },
    ],
}


def case_data(**overrides) -> dict:
    """Return a minimal valid case file as a dict; keyword arguments replace top-level fields."""
    data = copy.deepcopy(_MINIMAL)
    data.update(overrides)
    return data


def write_case(directory: Path, data: dict | None = None, name: str | None = None) -> Path:
    """Write a case dict as a YAML file and return its path."""
    data = case_data() if data is None else data
    path = directory / (name or f"{data.get('reference', 'cas')}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def save_case(
    engine, directory: Path, data: dict | None = None, day: date = date(2024, 1, 5)
) -> None:
    """Validate a case dict and save its rows, as `dla case load` would, without YAML.

    The plan is built from the dict as the loader builds it from a parsed file (named
    `<directory>/<reference>.yaml` in messages and the timeline), then saved by the product's
    own `save_plan`. Tests of the YAML format itself read real files (`write_case`).
    """
    from dla.casefile.loader import build_plan
    from dla.cases import save_plan
    from dla.clock import FixedClock
    from dla.db import transaction

    data = case_data() if data is None else data
    name = str(directory / f"{data.get('reference', 'cas')}.yaml")
    # A deep copy, as a parse gives: the plan must not share lists with the caller's dict.
    plan = build_plan(copy.deepcopy(data), {}, name)
    with transaction(engine) as session:
        save_plan(plan, session=session, clock=FixedClock.on(day), actor="test", reason="test")


SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "cases"
REPLAY_END = date(2011, 12, 31)  # every sample is over by then


def load_and_replay(engine, name: str, until: date = REPLAY_END) -> str:
    """Load a sample case file on its first day and replay it up to `until`; return its status."""
    from dla.casefile.loader import load_case_file
    from dla.cases import save_plan
    from dla.clock import FixedClock
    from dla.db import transaction
    from dla.progress import plain_steps, replay

    plan = load_case_file(SAMPLES / name)
    with transaction(engine) as session:
        save_plan(
            plan, session=session, clock=FixedClock.on(plan.case.debut), actor="test", reason="t"
        )
    return replay(engine, plan.case.reference, until, plain_steps(engine))


def snapshot(engine) -> dict:
    """Row counts of every table and each case's source hash: what a refused input must not change."""
    from sqlmodel import Session, SQLModel, func, select

    from models import Case

    with Session(engine) as session:
        rows = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
        cases = sorted(session.exec(select(Case.reference, Case.source_hash)).all())
    return {"rows": rows, "cases": cases}


def all_rows(engine) -> dict:
    """Every row of every table: what a refused action must leave exactly as it was."""
    from sqlmodel import Session, SQLModel, select

    with Session(engine) as session:
        return {
            table.name: sorted(map(repr, session.execute(select(table)).all()))
            for table in SQLModel.metadata.sorted_tables
        }


REFERENCE = _MINIMAL["reference"]
OPENED_ON = date(2024, 1, 10)  # the minimal case's diagnostic stage is open from this day


def open_case_stage(engine, directory: Path) -> None:
    """Save the minimal case and open its diagnostic stage (on `OPENED_ON`)."""
    from dla.clock import FixedClock
    from dla.progress import advance, plain_steps

    save_case(engine, directory)
    advance(engine, REFERENCE, FixedClock.on(OPENED_ON), plain_steps(engine))


def document_bytes(kind: str) -> bytes:
    """Return a small real file of an accepted attachment type (pdf, docx, odt, xlsx, png, jpeg)."""
    import io
    import zipfile

    if kind == "pdf":
        return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    if kind == "png":
        return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
    if kind == "jpeg":
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16 + b"\xff\xd9"
    buffer = io.BytesIO()
    if kind == "docx":
        from docx import Document

        document = Document()
        document.add_paragraph("Convention signée")
        document.save(buffer)
    elif kind == "xlsx":
        from openpyxl import Workbook

        Workbook().save(buffer)
    elif kind == "odt":
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
    elif kind == "zip":  # a ZIP that is no document
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("lisez-moi.txt", "bonjour")
    else:
        raise ValueError(kind)
    return buffer.getvalue()
