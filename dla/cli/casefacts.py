"""`dla case edit|budget|close|abandon`: a case's facts, the consultant's days, its end."""

from typing import Annotated

import typer

from dla.cli.acting import By, run_action
from dla.cli.common import Today, fail

Reference = Annotated[str, typer.Argument(help="Référence du cas (ex. DLA38-2006-01)")]
Reason = Annotated[str, typer.Option("--reason", help="Motif (journal du cas)")]


def edit(
    reference: Reference,
    title: Annotated[str | None, typer.Option("--title", help="Intitulé")] = None,
    perimeter: Annotated[str | None, typer.Option("--perimeter", help="Périmètre")] = None,
    demand: Annotated[
        str | None, typer.Option("--initial-demand", help="Demande initiale (contexte)")
    ] = None,
    facts: Annotated[
        list[str] | None,
        typer.Option(
            "--fact",
            help="Un fait comme dans un fichier de cas : CHAMP=VALEUR (ex. contexte.analyse=…, "
            "objectifs_strategiques=… répété pour une liste ; vide : effacé)",
        ),
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Modifier les faits du cas : intitulé, périmètre, objectifs, demande initiale, contexte."""
    from dla.actions.facts import edit_facts

    changes = _facts(facts or [])
    for field, value in (("titre", title), ("perimetre", perimeter)):
        if value is not None:
            changes[field] = value
    if demand is not None:
        changes["contexte.demande_initiale"] = demand
    if not changes:
        fail("Aucun fait à modifier : indiquez --title, --initial-demand ou --fact CHAMP=VALEUR.")
    run_action(reference, lambda **kw: edit_facts(reference, changes, **kw), today=today, by=by)


def _facts(items: list[str]) -> dict[str, str | list[str]]:
    """Read --fact CHAMP=VALEUR options: a list field collects its repeated values."""
    from dla.actions.facts import CONTEXT_LISTS, EDITABLE, LISTS

    changes: dict[str, str | list[str]] = {}
    for item in items:
        field, sep, value = item.partition("=")
        field = field.strip()
        if not sep or not field:
            fail(f"--fact : {item[:80]!r} ; attendu : CHAMP=VALEUR ; rien n'a été enregistré.")
        if field not in EDITABLE and f"contexte.{field}" in EDITABLE:
            field = f"contexte.{field}"
        if field in LISTS or field.removeprefix("contexte.") in CONTEXT_LISTS:
            changes.setdefault(field, [])
            changes[field] += [value] if value else []
        elif field in changes:
            fail(f"--fact : {field!r} donné deux fois ; rien n'a été enregistré.")
        else:
            changes[field] = value
    return changes


def budget(
    reference: Reference,
    task: Annotated[str, typer.Argument(help="Clé de la tâche du prestataire")],
    terrain: Annotated[
        str | None, typer.Option("--on-site", help="Jours terrain (sur site)")
    ] = None,
    cabinet: Annotated[
        str | None, typer.Option("--office", help="Jours cabinet (hors site)")
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Fixer les jours d'une tâche du prestataire (annexe 5.1) ; sans valeur : la retirer."""
    from dla.actions.budget import set_budget_days

    run_action(
        reference,
        lambda **kw: set_budget_days(reference, task, terrain=terrain, cabinet=cabinet, **kw),
        today=today,
        by=by,
    )


def close(reference: Reference, reason: Reason, today: Today = None, by: By = None) -> None:
    """Clore le cas : plus aucune étape ni relance (les relances prévues sont annulées)."""
    from dla.actions.closing import close_case

    run_action(
        reference, lambda **kw: close_case(reference, reason=reason, **kw), today=today, by=by
    )


def abandon(reference: Reference, reason: Reason, today: Today = None, by: By = None) -> None:
    """Abandonner le cas avant sa fin : plus aucune étape ni relance."""
    from dla.actions.closing import abandon_case

    run_action(
        reference, lambda **kw: abandon_case(reference, reason=reason, **kw), today=today, by=by
    )


def register(app: typer.Typer) -> None:
    """Add these commands to `dla case`."""
    for name, command in (
        ("edit", edit),
        ("budget", budget),
        ("close", close),
        ("abandon", abandon),
    ):
        app.command(name)(command)
