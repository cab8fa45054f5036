"""What every command shares: the one way to fail, the database check, date options."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, NoReturn

import typer

BAD_INPUT = 2  # refused: bad input, nothing done (1: could not be done, try again or fix setup)


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print a French message on stderr and stop the command with this exit code."""
    typer.echo(message, err=True)
    raise typer.Exit(code) from None


def open_database(*, migrated: bool = True):
    """Return the engine of the configured base, refused (exit 1) if unreachable or not set up."""
    from sqlalchemy import inspect

    from dla.db import DatabaseUnavailable, make_engine
    from dla.settings import get_settings

    engine = make_engine(get_settings().resolved_database_url)
    if not migrated:
        return engine
    try:
        ready = inspect(engine).has_table("accompagnement")
    except DatabaseUnavailable as exc:
        fail(str(exc), 1)
    if not ready:
        fail("Base non initialisée : lancez d'abord « dla init ».", 1)
    return engine


def parse_day(value: str, option: str) -> date:
    """Read a date option; an impossible or out-of-range day is refused (dla/clock.py)."""
    from dla.clock import day_problem

    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"{option} : date invalide {value!r} ; attendu : AAAA-MM-JJ.")
    if (problem := day_problem(day, option)) is not None:
        fail(f"{problem} ; rien n'a été fait.")
    return day


def day_option(flag: str, help: str):
    """Return a date option (AAAA-MM-JJ) checked by `parse_day` as the command line is read."""
    return typer.Option(flag, help=help, metavar="AAAA-MM-JJ", parser=lambda v: parse_day(v, flag))


Today = Annotated[date | None, day_option("--today", "Date du jour simulée (AAAA-MM-JJ)")]


def check_reference(reference: str) -> None:
    """Refuse a reference no case can have before it reaches a query (NUL breaks PostgreSQL)."""
    import re

    from dla.casefile.fields import REFERENCE_PATTERN

    if not re.match(REFERENCE_PATTERN, reference):
        fail(
            f"Référence invalide : {reference[:60]!r} (attendu : majuscules, chiffres et tirets, "
            "3 à 40 caractères, ex. DLA38-2006-01)."
        )


def clock_on(today: date | None):
    """Return the clock of a command: the simulated day if given, else the system's."""
    from dla.clock import FixedClock, SystemClock

    return FixedClock.on(today) if today is not None else SystemClock()


def default_actor(door: str) -> str:
    """Return who runs the command: the system user (or the command, when it has no name)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): say which door it was
        return door


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[int], object]]:
    """Show a progress bar on stderr when it is a terminal; yield `done(n)`, which moves it.

    Piped or captured output gets no bar (nothing to erase in a log file).
    """
    import sys

    if total < 2 or not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
