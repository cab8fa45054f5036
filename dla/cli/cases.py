"""`dla case …`: load and export case files, list the portfolio, show one case, print the schema."""

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dla.cli.common import check_reference, day_option, fail, open_database, progress_bar
from dla.shown import plain

app = typer.Typer(
    help="Cas : charger et exporter leurs fichiers, lister, consulter, modifier les faits, clore.",
    no_args_is_help=True,
)

MAX_REASON = 500


@app.command("load")
def load(
    files: Annotated[list[Path], typer.Argument(help="Fichiers de cas YAML")],
    reason: Annotated[
        str, typer.Option("--reason", help="Motif des changements (journal du cas)")
    ] = "fichier de cas modifié",
    update_shared: Annotated[
        bool,
        typer.Option(
            "--update-shared",
            help="Appliquer aux autres cas qui les utilisent les changements d'organisations ou "
            "de contacts partagés (noté dans le journal de chacun) ; sans cette option, ils sont "
            "refusés",
        ),
    ] = False,
) -> None:
    """Valider puis charger des fichiers de cas ; rien n'est écrit si l'un d'eux est invalide."""
    from dla.casebatch import save_plans
    from dla.casefile.loader import load_case_file
    from dla.casefile.problems import CaseFileError
    from dla.cases import CaseConflict
    from dla.clock import SystemClock
    from dla.db import transaction
    from dla.settings import get_settings

    settings = get_settings()
    _check_reason(reason)
    plans, problems = [], []
    today = SystemClock().today()  # no decision of a file can be dated after the load day
    with progress_bar(len(files), "Lecture des fichiers") as done:
        for count, path in enumerate(files, 1):
            try:
                plans.append(load_case_file(path, settings.max_case_file_bytes, today))
            except CaseFileError as exc:
                problems += [p.render(exc.file) for p in exc.problems]
            done(count)
    references = [p.case.reference for p in plans]
    problems += [
        f"{p.source_path} : reference : référence déjà utilisée par un autre fichier de la commande "
        f"(valeur : {p.case.reference!r})"
        for i, p in enumerate(plans)
        if p.case.reference in references[:i]
    ]
    if problems:
        fail(
            "\n".join(map(plain, problems))
            + f"\n{len(problems)} problème(s) : aucun fichier n'a été chargé."
        )
    engine = open_database()
    try:
        with transaction(engine) as session, progress_bar(len(plans), "Enregistrement") as done:
            outcomes = save_plans(
                plans,
                session=session,
                clock=SystemClock(),
                actor="dla case load",
                reason=reason,
                update_shared=update_shared,
                progress=done,
            )
    except CaseConflict as exc:
        fail(f"{plain(exc)} ; aucun fichier n'a été chargé.")
    except CaseFileError as exc:  # a change to data other cases share, not asked for
        shown = [plain(p.render(exc.file)) for p in exc.problems]
        fail("\n".join(shown) + f"\n{len(shown)} problème(s) : aucun fichier n'a été chargé.")
    for outcome in outcomes:
        typer.echo(f"{plain(outcome.reference)} : {plain(outcome.status)}")
        for change in outcome.changes[:-1]:
            typer.echo(f"  - {plain(change)}")


def _check_reason(reason: str) -> None:
    """Refuse a reason the timeline cannot show as one readable line."""
    from dla.casefile.fields import control_char, refused_char

    if len(reason) > MAX_REASON:
        fail(
            f"--reason : trop long ({len(reason)} caractères, au plus {MAX_REASON}) ; "
            "aucun fichier n'a été chargé."
        )
    if (char := control_char(reason)) is not None:
        fail(f"--reason : {refused_char(char)} ; aucun fichier n'a été chargé.")
    if not reason.strip():
        fail("--reason : motif vide ; aucun fichier n'a été chargé.")


@app.command("list")
def list_(
    day: Annotated[date | None, day_option("--date", "Date du jour (AAAA-MM-JJ)")] = None,
) -> None:
    """Afficher le portefeuille des accompagnements."""
    from sqlmodel import Session

    from dla.cli.render import print_portfolio
    from dla.clock import SystemClock
    from dla.portfolio import portfolio

    today = day or SystemClock().today()
    engine = open_database()
    with Session(engine) as session:
        print_portfolio(portfolio(session=session, today=today), today)


@app.command("show")
def show(reference: Annotated[str, typer.Argument(help="Référence du cas")]) -> None:
    """Afficher un accompagnement : membres, étapes, échéances, validations, journal."""
    from sqlmodel import Session

    from dla.cli.render import print_case
    from dla.portfolio import case_detail

    check_reference(reference)
    engine = open_database()
    with Session(engine) as session:
        detail = case_detail(reference, session=session)
        if detail is None:
            fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
        print_case(detail)


@app.command("export")
def export(
    reference: Annotated[str, typer.Argument(help="Référence du cas")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Fichier YAML à écrire (défaut : la sortie standard)"),
    ] = None,
) -> None:
    """Écrire un accompagnement en fichier de cas (YAML), à modifier puis recharger."""
    from sqlmodel import Session

    from dla.casefile.export import export_case

    check_reference(reference)
    engine = open_database()
    with Session(engine) as session:
        exported = export_case(reference, session=session)
    if exported is None:
        fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
    if output is None:
        typer.echo(exported.text, nl=False)
    else:
        _write(output, exported.text)
        typer.echo(f"{plain(reference)} : fichier de cas écrit dans {plain(output)}", err=True)
    if exported.problems:
        typer.echo(
            "Attention : ce fichier ne se rechargera pas tel quel :\n- "
            + "\n- ".join(map(plain, exported.problems)),
            err=True,
        )


def _write(path: Path, text: str) -> None:
    """Write the file whole or not at all (a temporary file renamed over it)."""
    import os
    import tempfile

    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        fail(
            f"--output : écriture impossible ({plain(exc.strerror or exc)}) : {plain(path)} ; rien n'a été écrit."
        )


@app.command("schema")
def schema() -> None:
    """Imprimer le JSON Schema des fichiers de cas (pour valider dans un éditeur)."""
    from dla.casefile.schema import CaseFile

    typer.echo(json.dumps(CaseFile.model_json_schema(), ensure_ascii=False, indent=2))
