"""`dla document`: attach a document to a case (convention, minutes, report) and list them."""

from pathlib import Path
from typing import Annotated

import typer

from dla.cli.common import Today, check_reference, clock_on, default_actor, fail, open_database
from dla.shown import plain, rich

app = typer.Typer(
    help="Pièces jointes d'un cas : convention signée, procès-verbal, rapport…",
    no_args_is_help=True,
)


@app.command("attach")
def attach(
    reference: Annotated[str, typer.Argument(help="Référence du cas")],
    file: Annotated[
        Path, typer.Argument(help="Fichier à joindre (PDF, DOCX, ODT, XLSX, PNG, JPEG)")
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="convention_signee, proces_verbal, rapport_consultant ou autre"
        ),
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="Intitulé (défaut : nom du fichier)")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Clé de l'étape concernée")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Qui joint la pièce (défaut : l'utilisateur)")
    ] = None,
    today: Today = None,
) -> None:
    """Joindre un document à un cas : type vérifié sur son contenu, taille limitée, journalisé."""
    from dla.actions.base import ActionRefused, Actor
    from dla.attachments import attach_document
    from dla.db import transaction
    from dla.settings import get_settings
    from dla.uploads import size_text

    check_reference(reference)
    settings = get_settings()
    upload = _read(file, settings.max_attachment_bytes)
    engine = open_database()
    try:
        with transaction(engine) as session:
            row, new = attach_document(
                reference,
                upload,
                kind=kind,
                title=title,
                stage=stage,
                session=session,
                clock=clock_on(today),
                actor=Actor(by or default_actor("dla document attach"), "cli"),
                settings=settings,
            )
    except ActionRefused as exc:
        fail(
            "Pièce refusée, rien n'a été enregistré :\n- "
            + "\n- ".join(plain(p.message) for p in exc.problems)
        )
    if not new:
        typer.echo(f"Pièce déjà jointe (n° {row.id}) : inchangé")
        return
    typer.echo(
        f"Pièce jointe enregistrée : {reference} n° {row.id} — {plain(row.title)} "
        f"({plain(row.filename)}, {size_text(row.size)})"
    )


def _read(file: Path, limit: int):
    """Read the file; one larger than the limit is not read at all (its size says enough)."""
    from dla.uploads import Upload

    try:
        size = file.stat().st_size
        if not file.is_file():
            fail(
                f"Fichier illisible : {plain(str(file))} n'est pas un fichier ; rien n'a été fait."
            )
        content = b"" if size > limit else file.read_bytes()
    except OSError as exc:
        fail(f"Fichier illisible : {plain(str(file))} ({exc.strerror or exc}) ; rien n'a été fait.")
    return Upload(file.name, content, size=size)


@app.command("list")
def list_documents(reference: Annotated[str, typer.Argument(help="Référence du cas")]) -> None:
    """Lister les pièces jointes d'un cas, les plus récentes d'abord."""
    from rich.console import Console
    from rich.table import Table
    from sqlmodel import Session, select

    from dla.attachments import case_attachments
    from dla.frenchtext import fr_date, label
    from dla.timeline import through
    from dla.uploads import size_text
    from models import Case

    check_reference(reference)
    engine = open_database()
    with Session(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == reference)).first()
        if case_id is None:
            fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
        rows = case_attachments(case_id, session=session)
    table = Table(title=f"Pièces jointes — {reference}")
    for header in ("N°", "Type", "Intitulé", "Fichier", "Taille", "Ajoutée le", "Par"):
        table.add_column(header)
    for r in rows:
        table.add_row(
            str(r.id),
            label(r.kind),
            rich(r.title),
            rich(r.filename),
            size_text(r.size),
            fr_date(r.recorded_at.date()),
            f"{rich(r.recorded_by)} ({through(r.channel)})",
        )
    Console(width=160).print(table)
    typer.echo(f"{len(rows)} pièce(s) jointe(s).")
