"""Open a new accompaniment from the UI's form or from a case file in the cases folder."""

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from dla.casefile.fields import control_char
from dla.casefile.form import NewCaseForm, case_from_form
from dla.casefile.loader import build_plan, load_case_file
from dla.casefile.problems import CaseFileError, Problem
from dla.cases import CaseConflict, LoadOutcome, save_plan
from dla.clock import Clock
from dla.db import transaction
from models import Case


def open_from_form(form: NewCaseForm, *, session: Session, clock: Clock, actor: str) -> LoadOutcome:
    """Create the case the form describes; an existing reference is refused, not overwritten."""
    if session.exec(select(Case.id).where(Case.reference == form.reference)).first():
        raise CaseConflict(f"référence déjà utilisée : {form.reference!r} (voir le portefeuille)")
    plan = build_plan(case_from_form(form), {}, "formulaire d'ouverture", clock.today())
    return save_plan(
        plan,
        session=session,
        clock=clock,
        actor=actor,
        reason="ouverture du cas",
        update_shared=form.modifier_donnees_partagees,
    )


MAX_NAME = 200


def case_file_path(name: str, folder: Path) -> Path:
    """Resolve a case file's name inside `folder`, refusing anything that would leave it."""
    expected = (
        f"nom de fichier de cas attendu (x.yaml, {MAX_NAME} caractères au plus) dans {folder}"
    )
    # A NUL or an over-long name makes the OS calls below raise instead of answering.
    if (
        not isinstance(name, str)
        or not name
        or len(name) > MAX_NAME
        or control_char(name)
        or "/" in name
        or "\\" in name
    ):
        raise CaseFileError(str(folder), [Problem("fichier", expected, name)])
    try:
        candidate = (folder / name).resolve()
        inside = candidate.parent == folder.resolve()
        present = inside and candidate.is_file()
    except OSError:  # a name too long for the file system, once encoded
        message = f"{expected} : nom refusé par le système de fichiers (trop long ?)"
        raise CaseFileError(str(folder), [Problem("fichier", message, name)]) from None
    if not inside or candidate.suffix not in (".yaml", ".yml"):
        raise CaseFileError(name, [Problem("fichier", expected, name)])
    if not present:
        raise CaseFileError(name, [Problem("fichier", f"fichier absent de {folder}", name)])
    return candidate


def open_from_file(
    name: str,
    folder: Path,
    max_bytes: int,
    *,
    session: Session,
    clock: Clock,
    actor: str,
    update_shared: bool = False,
) -> LoadOutcome:
    """Load (or reload) a case file of the cases folder."""
    plan = load_case_file(case_file_path(name, folder), max_bytes, clock.today())
    return save_plan(
        plan,
        session=session,
        clock=clock,
        actor=actor,
        reason="fichier de cas chargé",
        update_shared=update_shared,
    )


def save_from_form(engine: Engine, form: NewCaseForm, *, clock: Clock, actor: str) -> LoadOutcome:
    """Create the case the form describes, in its own transaction."""
    with transaction(engine) as session:
        return open_from_form(form, session=session, clock=clock, actor=actor)


def save_from_file(
    engine: Engine,
    name: str,
    folder: Path,
    max_bytes: int,
    *,
    clock: Clock,
    actor: str,
    update_shared: bool = False,
) -> LoadOutcome:
    """Load (or reload) a case file of the cases folder, in its own transaction."""
    with transaction(engine) as session:
        return open_from_file(
            name,
            folder,
            max_bytes,
            session=session,
            clock=clock,
            actor=actor,
            update_shared=update_shared,
        )
