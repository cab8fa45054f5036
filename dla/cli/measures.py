"""`dla indicator` and `dla followup`: record a measured value; record a follow-up."""

from typing import Annotated

import typer

from dla.cli.acting import By, run_action, typed_day
from dla.cli.common import Today, fail

indicator = typer.Typer(help="Indicateurs d'un cas : valeurs mesurées.", no_args_is_help=True)
followup = typer.Typer(help="Suivis d'un cas après la mise en œuvre.", no_args_is_help=True)

Reference = Annotated[str, typer.Argument(help="Référence du cas (ex. DLA38-2006-01)")]
Day = "JJ/MM/AAAA"


@indicator.command("measure")
def measure(
    reference: Reference,
    key: Annotated[str, typer.Argument(help="Clé de l'indicateur")],
    value: Annotated[str, typer.Argument(help="Valeur (un nombre, ou un texte si qualitatif)")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="Jour de la mesure (défaut : aujourd'hui)", metavar=Day),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unité (celle de l'indicateur)")
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Enregistrer la valeur mesurée d'un indicateur."""
    from dla.actions.measures import record_measure

    day = typed_day(on, field="mesure_le", name="date de mesure")
    run_action(
        reference,
        lambda **kw: record_measure(reference, key, value=value, measured_on=day, unit=unit, **kw),
        today=today,
        by=by,
    )


@followup.command("add")
def add(
    reference: Reference,
    months: Annotated[int, typer.Argument(help="Suivi prévu à combien de mois (ex. 6)")],
    summary: Annotated[str, typer.Option("--summary", help="Ce que le suivi a constaté")],
    on: Annotated[
        str | None, typer.Option("--on", help="Jour du suivi (défaut : aujourd'hui)", metavar=Day)
    ] = None,
    measures: Annotated[
        list[str] | None,
        typer.Option("--measure", help="Mesure d'un indicateur : CLE=VALEUR (répétable)"),
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Enregistrer un suivi : sa date, son résumé, les indicateurs mesurés ce jour-là."""
    from dla.actions.followups import record_follow_up

    day = typed_day(on, field="fait_le", name="date du suivi")
    values = pairs(measures or [], "--measure")
    run_action(
        reference,
        lambda **kw: record_follow_up(
            reference, months, done_on=day, summary=summary, measures=values, **kw
        ),
        today=today,
        by=by,
    )


def pairs(items: list[str], flag: str) -> dict[str, str]:
    """Read repeated KEY=VALUE options; a key given twice is refused."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"{flag} : {item[:80]!r} ; attendu : CLE=VALEUR ; rien n'a été enregistré.")
        if key.strip() in found:
            fail(f"{flag} : {key.strip()!r} donné deux fois ; rien n'a été enregistré.")
        found[key.strip()] = value
    return found
