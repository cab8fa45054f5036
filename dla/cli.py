"""The `dla` command line (French messages; heavy imports stay inside commands)."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dla.cli_errors import FrenchUsage
from dla.shown import plain

app = typer.Typer(
    cls=FrenchUsage,
    help="Pilotage des accompagnements DLA de mutualisation entre SIAE.",
    no_args_is_help=True,
)
case_app = typer.Typer(help="Fichiers de cas : charger, lister, consulter.", no_args_is_help=True)
app.add_typer(case_app, name="case")

from dla.cli_deliver import deliver  # noqa: E402  (light module: heavy imports inside)

app.command("deliver")(deliver)

from dla.cli_remind import remind  # noqa: E402  (light module: heavy imports inside)

app.command("remind")(remind)

from dla.cli_contact import contact_app  # noqa: E402  (light module: heavy imports inside)

app.add_typer(contact_app, name="contact")

from dla.cli_backup import backup, restore  # noqa: E402  (light module: heavy imports inside)

app.command("backup")(backup)
app.command("restore")(restore)

from dla.cli_user import user_app  # noqa: E402  (light module: heavy imports inside)

app.add_typer(user_app, name="user")

from dla.cli_desk import desk  # noqa: E402  (light module: heavy imports inside)

app.command("desk")(desk)

BAD_INPUT = 2


def _fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _engine():
    from dla.db import make_engine
    from dla.settings import get_settings

    return make_engine(get_settings().resolved_database_url)


def _require_schema(engine) -> None:
    from sqlalchemy import inspect

    if not inspect(engine).has_table("accompagnement"):
        raise _fail("Base non initialisée : lancez d'abord « dla init ».", 1)


@app.command()
def init() -> None:
    """Créer ou mettre à jour la base de données (migrations Alembic)."""
    from dla.db import upgrade

    engine = _engine()
    upgrade(engine)
    typer.echo(f"Base prête : {engine.url.render_as_string(hide_password=True)}")


@case_app.command("load")
def case_load(
    files: Annotated[list[Path], typer.Argument(help="Fichiers de cas YAML")],
    motif: Annotated[
        str, typer.Option(help="Motif des changements (journal du cas)")
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
    from dla.casefile.loader import load_case_file
    from dla.casefile.problems import CaseFileError
    from dla.cases import CaseConflict, save_plan
    from dla.clock import SystemClock
    from dla.db import transaction
    from dla.settings import get_settings

    settings = get_settings()
    _check_motif(motif)
    plans, problems = [], []
    today = SystemClock().today()  # no decision of a file can be dated after the load day
    for path in files:
        try:
            plans.append(load_case_file(path, settings.max_case_file_bytes, today))
        except CaseFileError as exc:
            problems += [p.render(exc.file) for p in exc.problems]
    references = [p.case.reference for p in plans]
    problems += [
        f"{p.source_path} : reference : référence déjà utilisée par un autre fichier de la commande "
        f"(valeur : {p.case.reference!r})"
        for i, p in enumerate(plans)
        if p.case.reference in references[:i]
    ]
    if problems:
        raise _fail(
            "\n".join(map(plain, problems))
            + f"\n{len(problems)} problème(s) : aucun fichier n'a été chargé."
        )
    engine = _engine()
    _require_schema(engine)
    try:
        with transaction(engine) as session:
            outcomes = [
                save_plan(
                    p,
                    session=session,
                    clock=SystemClock(),
                    actor="dla case load",
                    reason=motif,
                    update_shared=update_shared,
                )
                for p in plans
            ]
    except CaseConflict as exc:
        raise _fail(f"{plain(exc)} ; aucun fichier n'a été chargé.") from None
    except CaseFileError as exc:  # a change to data other cases share, not asked for
        shown = [plain(p.render(exc.file)) for p in exc.problems]
        raise _fail(
            "\n".join(shown) + f"\n{len(shown)} problème(s) : aucun fichier n'a été chargé."
        ) from None
    for outcome in outcomes:
        typer.echo(f"{plain(outcome.reference)} : {plain(outcome.status)}")
        for change in outcome.changes[:-1]:
            typer.echo(f"  - {plain(change)}")


@case_app.command("list")
def case_list(
    date_: Annotated[str | None, typer.Option("--date", help="Date du jour (AAAA-MM-JJ)")] = None,
) -> None:
    """Afficher le portefeuille des accompagnements."""
    from sqlmodel import Session

    from dla.clock import SystemClock
    from dla.portfolio import portfolio
    from dla.render_cli import print_portfolio

    today = _parse_day(date_, "--date") if date_ is not None else SystemClock().today()
    engine = _engine()
    _require_schema(engine)
    with Session(engine) as session:
        print_portfolio(portfolio(session=session, today=today), today)


@case_app.command("show")
def case_show(reference: Annotated[str, typer.Argument(help="Référence du cas")]) -> None:
    """Afficher un accompagnement : membres, étapes, échéances, validations, journal."""
    from sqlmodel import Session

    from dla.portfolio import case_detail
    from dla.render_cli import print_case

    _check_reference(reference)
    engine = _engine()
    _require_schema(engine)
    with Session(engine) as session:
        detail = case_detail(reference, session=session)
        if detail is None:
            raise _fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")
        print_case(detail)


@app.command()
def run(
    references: Annotated[
        list[str] | None, typer.Argument(help="Références des cas (ou --tous)")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Date du jour simulée (AAAA-MM-JJ)")
    ] = None,
    rejouer: Annotated[bool, typer.Option("--rejouer", help="Rejouer depuis le début")] = False,
    tous: Annotated[bool, typer.Option("--tous", help="Tous les cas de la base")] = False,
) -> None:
    """Faire avancer des accompagnements (flux Prefect) aussi loin que dates et validations le permettent."""
    day = _parse_day(today, "--today") if today is not None else None
    engine = _engine()
    _require_schema(engine)
    if tous == bool(references):
        raise _fail("Indiquer des références de cas, ou --tous (pas les deux).")
    if tous:
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
            status = run_case(CaseRun(reference=reference, aujourdhui=day, rejouer=rejouer))
        except RuntimeError as exc:
            if (message := startup_failure(exc, get_settings())) is None:
                raise
            raise _fail(message, 1) from None
        typer.echo(f"{reference} : {plain(status)}")


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
    date_: Annotated[
        str | None, typer.Option("--date", help="Date de la décision (défaut : aujourd'hui)")
    ] = None,
    commentaire: Annotated[str | None, typer.Option(help="Commentaire ou motif")] = None,
    report_au: Annotated[
        str | None, typer.Option("--report-au", help="Nouvelle échéance si reportée")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Date du jour simulée (AAAA-MM-JJ)")
    ] = None,
) -> None:
    """Enregistrer la décision d'une instance sur une étape, puis reprendre le flux en attente."""
    from dla.clock import FixedClock, SystemClock
    from dla.db import transaction
    from dla.validations import DecisionInput, ValidationRefused, record_validation
    from models.enums import Body, Decision

    clock = FixedClock.on(_parse_day(today, "--today")) if today is not None else SystemClock()
    decided_on = _parse_day(date_, "--date") if date_ is not None else clock.today()
    entry = DecisionInput(
        reference,
        stage,
        structure,
        _choice(Body, instance, "--instance"),
        _choice(Decision, decision, "--decision"),
        decided_on,
        commentaire,
        _parse_day(report_au, "--report-au") if report_au is not None else None,
    )
    engine = _engine()
    _require_schema(engine)
    try:
        with transaction(engine) as session:
            _, new = record_validation(
                entry, session=session, clock=clock, recorded_by="dla validate", channel="cli"
            )
    except ValidationRefused as exc:
        raise _fail(
            "Décision refusée, rien n'a été enregistré :\n- "
            + "\n- ".join(map(plain, exc.problems))
        ) from None
    typer.echo(
        f"Décision enregistrée : {reference} / {stage}"
        if new
        else "Décision déjà enregistrée : inchangé"
    )
    if not _resume(entry):
        # No run waited for this decision: it takes effect now, not at the next daily pass.
        from dla import progress

        status = progress.advance(engine, reference, clock, progress.plain_steps(engine, True))
        typer.echo(f"{reference} : {plain(status)}")


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
        raise _fail(
            f"La décision est enregistrée, mais le flux en attente n'a pas été repris (serveur "
            f"Prefect injoignable : {exc}) ; relancez la même commande pour le reprendre.",
            1,
        ) from None
    if resumed:
        typer.echo(f"Flux en attente repris : {resumed}")
    return resumed


def _choice(enum, value: str, option: str):
    try:
        return enum(value)
    except ValueError:
        raise _fail(
            f"{option} : valeur inconnue {value!r} ; attendu parmi : {', '.join(e.value for e in enum)}."
        ) from None


def _check_reference(reference: str) -> None:
    """Refuse a reference no case can have before it reaches a query (NUL breaks PostgreSQL)."""
    import re

    from dla.casefile.fields import REFERENCE_PATTERN

    if not re.match(REFERENCE_PATTERN, reference):
        raise _fail(
            f"Référence invalide : {reference[:60]!r} (attendu : majuscules, chiffres et tirets, "
            "3 à 40 caractères, ex. DLA38-2006-01)."
        )


MAX_MOTIF = 500


def _check_motif(motif: str) -> None:
    """Refuse a reason the timeline cannot show as one readable line."""
    from dla.casefile.fields import control_char, refused_char

    if len(motif) > MAX_MOTIF:
        raise _fail(
            f"--motif : trop long ({len(motif)} caractères, au plus {MAX_MOTIF}) ; "
            "aucun fichier n'a été chargé."
        )
    if (char := control_char(motif)) is not None:
        raise _fail(f"--motif : {refused_char(char)} ; aucun fichier n'a été chargé.")
    if not motif.strip():
        raise _fail("--motif : motif vide ; aucun fichier n'a été chargé.")


def _require_case(engine, reference: str) -> None:
    from sqlmodel import Session, select

    from models import Case

    _check_reference(reference)
    with Session(engine) as session:
        if session.exec(select(Case.id).where(Case.reference == reference)).first() is None:
            raise _fail(f"Cas inconnu : {reference!r} (voir « dla case list »).")


@case_app.command("schema")
def case_schema() -> None:
    """Imprimer le JSON Schema des fichiers de cas (pour valider dans un éditeur)."""
    import json

    from dla.casefile.schema import CaseFile

    typer.echo(json.dumps(CaseFile.model_json_schema(), ensure_ascii=False, indent=2))


def _parse_day(value: str, option: str) -> date:
    """Read a date option; an impossible or out-of-range day is refused (dla/clock.py)."""
    from dla.clock import day_problem

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} : date invalide {value!r} ; attendu : AAAA-MM-JJ.") from None
    if (problem := day_problem(day, option)) is not None:
        raise _fail(f"{problem} ; rien n'a été fait.")
    return day
