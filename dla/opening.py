"""Open a new accompaniment from the UI's form or from a case file in the cases folder."""

from pathlib import Path

from sqlmodel import Session, select

from dla.casefile.form import NewCaseForm, case_from_form
from dla.casefile.loader import build_plan, load_case_file
from dla.casefile.problems import CaseFileError, Problem
from dla.cases import CaseConflict, LoadOutcome, save_plan
from dla.clock import Clock
from models import Case


def open_from_form(form: NewCaseForm, *, session: Session, clock: Clock, actor: str) -> LoadOutcome:
    """Create the case the form describes; an existing reference is refused, not overwritten."""
    if session.exec(select(Case.id).where(Case.reference == form.reference)).first():
        raise CaseConflict(f"référence déjà utilisée : {form.reference!r} (voir le portefeuille)")
    plan = build_plan(case_from_form(form), {}, "formulaire d'ouverture")
    return save_plan(plan, session=session, clock=clock, actor=actor, reason="ouverture du cas")


def case_file_path(name: str, folder: Path) -> Path:
    """Resolve a case file's name inside `folder`, refusing anything that would leave it."""
    candidate = (folder / name).resolve()
    if (
        not name
        or Path(name).is_absolute()
        or candidate.parent != folder.resolve()
        or candidate.suffix not in (".yaml", ".yml")
    ):
        raise CaseFileError(
            name,
            [Problem("fichier", f"nom de fichier de cas attendu (x.yaml) dans {folder}", name)],
        )
    if not candidate.is_file():
        raise CaseFileError(name, [Problem("fichier", f"fichier absent de {folder}", name)])
    return candidate


def open_from_file(
    name: str, folder: Path, max_bytes: int, *, session: Session, clock: Clock, actor: str
) -> LoadOutcome:
    """Load (or reload) a case file of the cases folder."""
    plan = load_case_file(case_file_path(name, folder), max_bytes)
    return save_plan(
        plan, session=session, clock=clock, actor=actor, reason="fichier de cas chargé"
    )
