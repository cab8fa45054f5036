"""`dla task`: mark a task of a case done, or not done again."""

from typing import Annotated

import typer

from dla.cli.acting import By, run_action, typed_day
from dla.cli.common import Today

app = typer.Typer(
    help="Tâches des étapes d'un cas : faite, à refaire, ajoutée.", no_args_is_help=True
)

Reference = Annotated[str, typer.Argument(help="Référence du cas (ex. DLA38-2006-01)")]
Stage = Annotated[str, typer.Argument(help="Clé de l'étape (ex. diagnostic)")]
Task = Annotated[str, typer.Argument(help="Clé de la tâche (ex. note-diagnostic)")]


@app.command("done")
def done(
    reference: Reference,
    stage: Stage,
    task: Task,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", help="Jour où la tâche a été faite (défaut : aujourd'hui)", metavar="JJ/MM/AAAA"
        ),
    ] = None,
    today: Today = None,
    by: By = None,
) -> None:
    """Marquer une tâche faite, puis faire avancer le cas (l'étape passe à sa validation)."""
    from dla.actions import mark_task_done

    day = typed_day(on, field="fait_le", name="date de réalisation")
    run_action(
        reference,
        lambda **kw: mark_task_done(reference, stage, task, done_on=day, **kw),
        today=today,
        by=by,
    )


@app.command("undo")
def undo(
    reference: Reference, stage: Stage, task: Task, today: Today = None, by: By = None
) -> None:
    """Remettre à faire une tâche marquée faite par erreur."""
    from dla.actions import mark_task_not_done

    run_action(
        reference,
        lambda **kw: mark_task_not_done(reference, stage, task, **kw),
        today=today,
        by=by,
    )


@app.command("add")
def add(
    reference: Reference,
    stage: Stage,
    key: Annotated[str, typer.Argument(help="Clé de la nouvelle tâche (ex. entretiens)")],
    title: Annotated[str, typer.Option("--title", help="Intitulé de la tâche")],
    owner: Annotated[
        str, typer.Option("--owner", help="Responsable : coordination, un rôle ou une structure")
    ],
    due: Annotated[str, typer.Option("--due", help="Échéance (jour ouvré)", metavar="JJ/MM/AAAA")],
    today: Today = None,
    by: By = None,
) -> None:
    """Ajouter une tâche à une étape ouverte."""
    from dla.actions import add_task

    day = typed_day(due, field="echeance", name="échéance")
    run_action(
        reference,
        lambda **kw: add_task(
            reference, stage, key=key, title=title, owner=owner, due_on=day, **kw
        ),
        today=today,
        by=by,
    )
