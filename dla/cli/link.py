"""`dla link`: the signed links sent to boards with validation reminders; list and revoke them."""

from typing import Annotated

import typer

from dla.cli.common import Today, check_reference, clock_on, default_actor, fail, open_database
from dla.shown import plain, rich

app = typer.Typer(
    help="Liens de décision envoyés aux instances (une seule utilisation) : lister, révoquer.",
    no_args_is_help=True,
)


@app.command("list")
def list_links(
    reference: Annotated[str, typer.Argument(help="Référence du cas")], today: Today = None
) -> None:
    """Lister les liens d'un cas et leur état (valable, utilisé, révoqué, expiré)."""
    from rich.console import Console
    from rich.table import Table
    from sqlmodel import Session, select

    from dla.boardlinks import case_links
    from dla.frenchtext import label
    from models import Case

    check_reference(reference)
    engine = open_database()
    with Session(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == reference)).first()
        if case_id is None:
            fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
        rows = case_links(case_id, session=session, today=clock_on(today).today())
    table = Table(title=f"Liens de décision — {reference}")
    for header in ("N°", "Étape", "Instance", "Destinataire", "État"):
        table.add_column(header)
    for r in rows:
        table.add_row(
            str(r.link.id),
            rich(r.stage_title),
            f"{label(r.link.body)} — {rich(r.structure)}",
            rich(r.link.recipient),
            rich(r.state),
        )
    Console(width=160).print(table)
    typer.echo(f"{len(rows)} lien(s).")


@app.command("revoke")
def revoke(
    reference: Annotated[str, typer.Argument(help="Référence du cas")],
    link: Annotated[int, typer.Argument(help="Numéro du lien (voir « dla link list »)")],
    by: Annotated[
        str | None, typer.Option("--by", help="Qui révoque (défaut : l'utilisateur)")
    ] = None,
    today: Today = None,
) -> None:
    """Révoquer un lien : il cesse de fonctionner aussitôt (journalisé)."""
    from dla.actions.base import ActionRefused, Actor
    from dla.boardlinks import revoke_link
    from dla.db import transaction

    check_reference(reference)
    engine = open_database()
    try:
        with transaction(engine) as session:
            revoke_link(
                reference,
                link,
                session=session,
                clock=clock_on(today),
                actor=Actor(by or default_actor("dla link revoke"), "cli"),
            )
    except ActionRefused as exc:
        fail(
            "Révocation refusée, rien n'a été changé :\n- "
            + "\n- ".join(plain(p.message) for p in exc.problems)
        )
    typer.echo(f"Lien n° {link} révoqué : il ne fonctionne plus.")
