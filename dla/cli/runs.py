"""`dla run` and `dla validate`: move cases forward (Prefect flow), record an instance's decision."""

from datetime import date
from typing import Annotated

import typer

from dla.cli.common import Today, check_reference, clock_on, day_option, fail, open_database
from dla.shown import plain

app = typer.Typer()


@app.command()
def run(
    references: Annotated[
        list[str] | None, typer.Argument(help="Références des cas (ou --all)")
    ] = None,
    today: Today = None,
    replay: Annotated[bool, typer.Option("--replay", help="Rejouer depuis le début")] = False,
    all_cases: Annotated[bool, typer.Option("--all", help="Tous les cas de la base")] = False,
) -> None:
    """Faire avancer des accompagnements (flux Prefect) aussi loin que dates et validations le permettent."""
    engine = open_database()
    if all_cases == bool(references):
        fail("Indiquer des références de cas, ou --all (pas les deux).")
    if all_cases:
        from sqlmodel import Session, select

        from models import Case

        with Session(engine) as session:
            references = list(session.exec(select(Case.reference).order_by(Case.reference)))
    for reference in references:
        _require_case(engine, reference)
    from dla.prefect_env import apply_prefect_env, startup_failure
    from dla.settings import get_settings

    apply_prefect_env(get_settings())
    from flows.case_flow import CaseRun, run_case

    for reference in references:
        try:
            status = run_case(CaseRun(reference=reference, aujourdhui=today, rejouer=replay))
        except RuntimeError as exc:
            if (message := startup_failure(exc, get_settings())) is None:
                raise
            fail(message, 1)
        from dla.frenchtext import standing_label  # not at import: `dla --help` stays light

        typer.echo(f"{reference} : {standing_label(status)}")


@app.command()
def validate(
    reference: Annotated[str, typer.Argument(help="Référence du cas")],
    stage: Annotated[str, typer.Argument(help="Clé de l'étape (ex. diagnostic)")],
    decision: Annotated[
        str, typer.Option(help="validee, validee_avec_reserves, refusee ou reportee")
    ],
    instance: Annotated[
        str, typer.Option(help="Instance : conseil_administration, comite_pilotage…")
    ],
    structure: Annotated[
        str | None, typer.Option(help="Clé de la structure (vide : coordination)")
    ] = None,
    decided_on: Annotated[
        date | None, day_option("--date", "Date de la décision (défaut : aujourd'hui)")
    ] = None,
    comment: Annotated[str | None, typer.Option("--comment", help="Commentaire ou motif")] = None,
    postponed_to: Annotated[
        date | None, day_option("--postponed-to", "Nouvelle échéance si reportée")
    ] = None,
    today: Today = None,
) -> None:
    """Enregistrer la décision d'une instance sur une étape, puis reprendre le flux en attente."""
    from dla.db import transaction
    from dla.validations import DecisionInput, ValidationRefused, record_validation
    from models.enums import Body, Decision

    clock = clock_on(today)
    entry = DecisionInput(
        reference,
        stage,
        structure,
        _choice(Body, instance, "--instance"),
        _choice(Decision, decision, "--decision"),
        decided_on or clock.today(),
        comment,
        postponed_to,
    )
    engine = open_database()
    try:
        with transaction(engine) as session:
            _, new = record_validation(
                entry, session=session, clock=clock, recorded_by="dla validate", channel="cli"
            )
    except ValidationRefused as exc:
        fail(f"{exc.header} :\n- " + "\n- ".join(map(plain, exc.messages())))
    typer.echo(
        f"Décision enregistrée : {reference} / {stage}"
        if new
        else "Décision déjà enregistrée : inchangé"
    )
    if not _resume(entry):
        # No run waited for this decision: it takes effect now, not at the next daily pass.
        from dla import progress

        status = progress.advance(engine, reference, clock, progress.plain_steps(engine, True))
        from dla.frenchtext import standing_label  # not at import: `dla --help` stays light

        typer.echo(f"{reference} : {standing_label(status)}")


def _resume(entry) -> int:
    from dla.settings import prefect_api_configured

    if not prefect_api_configured():
        return 0
    import httpx

    from flows.decision_form import decision_answer
    from flows.resume import resume_waiting_runs

    try:
        resumed = resume_waiting_runs(entry.reference, decision_answer(entry), stage=entry.stage)
    except httpx.HTTPError as exc:
        fail(
            f"La décision est enregistrée, mais le flux en attente n'a pas été repris (serveur "
            f"Prefect injoignable : {exc}) ; relancez la même commande pour le reprendre.",
            1,
        )
    if resumed:
        typer.echo(f"Flux en attente repris : {resumed}")
    return resumed


def _choice(enum, value: str, option: str):
    try:
        return enum(value)
    except ValueError:
        fail(
            f"{option} : valeur inconnue {value!r} ; attendu parmi : {', '.join(e.value for e in enum)}."
        )


def _require_case(engine, reference: str) -> None:
    from sqlmodel import Session, select

    from models import Case

    check_reference(reference)
    with Session(engine) as session:
        if session.exec(select(Case.id).where(Case.reference == reference)).first() is None:
            fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
