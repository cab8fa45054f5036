"""`dla contact`: what is held about a person, and erasing it (RGPD); heavy imports inside."""

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from dla.cli.common import fail, open_database
from dla.shown import plain

app = typer.Typer(
    help="Données personnelles des contacts (RGPD) : exporter, effacer.", no_args_is_help=True
)
UNKNOWN = 1


@app.command("export")
def export(
    email: Annotated[str, typer.Argument(help="Adresse e-mail du contact")],
    output: Annotated[
        Path | None, typer.Option("--output", help="Fichier JSON à écrire (défaut : affichage)")
    ] = None,
) -> None:
    """Donner tout ce qui est conservé sur une personne (contacts, relances, journal, livrables)."""
    from sqlmodel import Session

    from dla.privacy import export_contact

    engine, settings = _setup(email)
    with Session(engine) as session:
        held = export_contact(
            email, session=session, var_dir=settings.var_dir, cases_dir=settings.resolved_cases_dir
        )
    if not held["donnees_conservees"]:
        _unknown(held["adresse"])
    text = json.dumps(held, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"--output : écriture impossible dans {output} ({exc.strerror or exc}).")
    typer.echo(f"Données de {held['adresse']} écrites dans {output}.")


@app.command("forget")
def forget(
    email: Annotated[str, typer.Argument(help="Adresse e-mail du contact")],
    yes: Annotated[bool, typer.Option("--yes", help="Ne pas demander de confirmation")] = False,
) -> None:
    """Effacer une personne : adresse et nom remplacés par un pseudonyme, historique conservé."""
    from sqlmodel import Session

    from dla.clock import SystemClock
    from dla.db import transaction
    from dla.privacy import PrivacyRefused, export_contact, forget_contact

    engine, settings = _setup(email)
    with Session(engine) as session:
        held = export_contact(email, session=session, cases_dir=settings.resolved_cases_dir)
    address = held["adresse"]
    if not held["donnees_conservees"]:
        _unknown(address)
    cases = ", ".join(c["reference"] for c in held["cas"]) or "aucun"
    typer.echo(
        f"{address} : {len(held['relances'])} relance(s), {len(held['journal'])} événement(s) "
        f"du journal, {len(held['fichiers_de_cas'])} fichier(s) de cas ; cas : {cases}."
    )
    if not yes and not typer.confirm(
        "Remplacer définitivement cette personne par un pseudonyme ?", default=False
    ):
        fail("Abandon : rien n'a été modifié.", 1)
    try:
        with transaction(engine) as session:
            report = forget_contact(
                email,
                session=session,
                clock=SystemClock(),
                cases_dir=settings.resolved_cases_dir,
                outbox_dir=settings.var_dir / "outbox",
                var_dir=settings.var_dir,
                prefect_url=_prefect_database(settings),
            )
    except PrivacyRefused as exc:
        fail(str(exc), 1)
    typer.echo(
        f"{address} effacée : remplacée par « {report.pseudonym} » ; {report.changed} "
        f"donnée(s) modifiée(s), {report.cancelled} relance(s) à venir annulée(s)."
    )
    for path in report.files:
        typer.echo(f"  - fichier de cas réécrit : {plain(path)}")
    for path in report.removed:
        typer.echo(f"  - livrable PDF supprimé (à régénérer avec « dla deliver ») : {plain(path)}")
    prefect = ", ".join(f"{table} : {n}" for table, n in sorted(report.prefect.items()))
    typer.echo(f"  - base de Prefect : {prefect or 'aucune trace'}")
    for path in report.left:
        typer.echo(
            f"Attention : {plain(path)} contient encore cette adresse ; corrigez-le avant de le "
            "recharger, sinon la personne réapparaîtra.",
            err=True,
        )


def _prefect_database(settings) -> str | None:
    """Return the URL of Prefect's database (from Prefect's settings), if there is one."""
    import os

    from dla.prefect_env import apply_prefect_env

    apply_prefect_env(settings)  # Prefect's home under var/, as for the product's own runs
    from prefect.settings import get_current_settings

    var_dir = settings.var_dir

    current = get_current_settings()
    secret = current.server.database.connection_url
    url = secret.get_secret_value() if secret is not None else None
    if "PREFECT_HOME" not in os.environ and url == f"sqlite+aiosqlite:///{current.home}/prefect.db":
        # Prefect's default home is ~/.prefect; the product keeps it under var/ (var/prefect).
        url = f"sqlite+aiosqlite:///{(var_dir / 'prefect' / 'prefect.db').resolve()}"
    if not url or ":memory:" in url:
        return None
    if url.startswith("sqlite"):
        # A Prefect that never ran here has no file: nothing to scrub, nothing to create.
        path = Path(url.partition(":///")[2].partition("?")[0])
        return url if path.is_file() else None
    return url


def _setup(email: str):
    """Check the address and the database; return the engine and the settings."""
    from dla.privacy import PrivacyRefused
    from dla.privacy.scrub import normalise_address
    from dla.settings import get_settings

    try:
        normalise_address(email)
    except PrivacyRefused as exc:
        fail(f"{exc} ; rien n'a été modifié.")
    return open_database(), get_settings()


def _unknown(address: str) -> NoReturn:
    fail(
        f"Aucune donnée n'est conservée pour {address} (adresse inconnue, ou déjà effacée) ; "
        "rien n'a été modifié.",
        UNKNOWN,
    )
