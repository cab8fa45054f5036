"""What the action commands share: who acts (`--by`), running one action, French refusals."""

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from dla.cli.common import check_reference, clock_on, fail, open_database
from dla.shown import plain

By = Annotated[
    str | None,
    typer.Option("--by", help="Qui agit (défaut : l'utilisateur du système)", metavar="NOM"),
]


def actor_name(by: str | None) -> str:
    """Return who acts: `--by`, else the system user's name."""
    if by and by.strip():
        return by.strip()[:200]
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "ligne de commande"


def run_action(reference: str, action: Callable, *, today: date | None, by: str | None) -> None:
    """Run `action(session=, clock=, actor=)` in one transaction, then advance the case.

    A refusal prints its French reasons and exits with code 2, nothing written.
    """
    from dla.actions import ActionRefused, Actor, advance_after
    from dla.db import transaction

    check_reference(reference)
    engine = open_database()
    clock = clock_on(today)
    actor = Actor(actor_name(by), "cli")
    try:
        with transaction(engine) as session:
            outcome = action(session=session, clock=clock, actor=actor)
    except ActionRefused as exc:
        fail(refusal_text(exc))
    typer.echo(plain(outcome.summary))
    if outcome.changed:
        # The action takes effect now, not at the next daily pass.
        status = advance_after(engine, reference, clock, render=True)
        from dla.frenchtext import standing_label  # not at import: `dla --help` stays light

        typer.echo(f"{reference} : {standing_label(status)}")


def refusal_text(exc) -> str:
    """Return a refusal as the CLI prints it: one reason a line."""
    return "Action refusée, rien n'a été enregistré :\n- " + "\n- ".join(
        plain(p.message) for p in exc.problems
    )


def typed_day(text: str | None, *, field: str, name: str) -> date | None:
    """Read a date option typed JJ/MM/AAAA or AAAA-MM-JJ (None when not given)."""
    from dla.actions import ActionRefused, read_day

    if text is None:
        return None
    try:
        return read_day(text, field=field, name=name)
    except ActionRefused as exc:
        fail(refusal_text(exc))
