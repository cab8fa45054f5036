"""`dla deadline` and `dla period`: move a deadline; start and end a period."""

from typing import Annotated

import typer

from dla.cli.acting import By, run_action, typed_day
from dla.cli.common import Today

deadline = typer.Typer(help="Échéances des tâches et des étapes.", no_args_is_help=True)
period = typer.Typer(help="Périodes d'appropriation et de non-intervention.", no_args_is_help=True)

Reference = Annotated[str, typer.Argument(help="Référence du cas (ex. DLA38-2006-01)")]
Day = "JJ/MM/AAAA"


@deadline.command("move")
def move(
    reference: Reference,
    stage: Annotated[str, typer.Argument(help="Clé de l'étape")],
    to: Annotated[str, typer.Option("--to", help="Nouvelle échéance (jour ouvré)", metavar=Day)],
    reason: Annotated[str, typer.Option("--reason", help="Motif du déplacement")],
    task: Annotated[
        str | None, typer.Argument(help="Clé de la tâche (absente : la fin de l'étape)")
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Déplacer l'échéance d'une tâche, ou la fin d'une étape ; le journal garde les deux dates."""
    from dla.actions import move_deadline

    day = typed_day(to, field="echeance", name="nouvelle échéance")
    run_action(
        reference,
        lambda **kw: move_deadline(reference, stage, task, to=day, reason=reason, **kw),
        today=today,
        by=by,
    )


@period.command("start")
def start(
    reference: Reference,
    kind: Annotated[str, typer.Option("--kind", help="appropriation ou non_intervention")],
    end: Annotated[str, typer.Option("--end", help="Fin prévue", metavar=Day)],
    begin: Annotated[
        str | None, typer.Option("--start", help="Début (défaut : aujourd'hui)", metavar=Day)
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="Clé de la période")] = None,
    after: Annotated[
        str | None, typer.Option("--after", help="Tâche (livrable intermédiaire) suivie")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Note")] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Ouvrir une période : les relances du prestataire sont suspendues jusqu'à sa fin."""
    from dla.actions import start_period

    end_on = typed_day(end, field="fin", name="fin prévue")
    start_on = typed_day(begin, field="debut", name="début")
    run_action(
        reference,
        lambda **kw: start_period(
            reference,
            kind=kind,
            end_on=end_on,
            start_on=start_on,
            key=key,
            after_task=after,
            note=note,
            **kw,
        ),  # fmt: skip
        today=today,
        by=by,
    )


@period.command("end")
def finish(
    reference: Reference,
    key: Annotated[str, typer.Argument(help="Clé de la période")],
    on: Annotated[
        str | None, typer.Option("--on", help="Jour de fin (défaut : aujourd'hui)", metavar=Day)
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Terminer une période en cours."""
    from dla.actions import end_period

    day = typed_day(on, field="fin", name="date de fin")
    run_action(
        reference, lambda **kw: end_period(reference, key, end_on=day, **kw), today=today, by=by
    )
