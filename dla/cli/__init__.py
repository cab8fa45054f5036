"""The `dla` command line: one module per command group; French messages, English verbs and flags.

This package is the only part of `dla` allowed to import `flows` (and, through it, Prefect): only
inside a command function, never at module level, so that `dla --help` stays fast. Shared pieces
are in `common` (fail, the database check, date options), usage errors and old flags in `usage`,
terminal tables in `render`. A new command group is one module with its own Typer `app`,
registered below in one line.
"""

import typer

from dla.cli import (
    casefacts,
    cases,
    contact,
    database,
    deliver,
    desk,
    document,
    link,
    measures,
    people,
    planning,
    remind,
    runs,
    tasks,
    user,
)
from dla.cli.usage import Group

app = typer.Typer(
    cls=Group,
    help="Pilotage des accompagnements DLA de mutualisation entre SIAE.",
    no_args_is_help=True,
)
app.add_typer(cases.app, name="case")
app.add_typer(deliver.app)  # deliver
app.add_typer(remind.app)  # remind
app.add_typer(contact.app, name="contact")
app.add_typer(database.app)  # init, backup, restore
app.add_typer(runs.app)  # run, validate
app.add_typer(user.app, name="user")
app.add_typer(desk.app)  # desk
app.add_typer(tasks.app, name="task")  # done, undo, add
app.add_typer(planning.deadline, name="deadline")  # move
app.add_typer(planning.period, name="period")  # start, end
app.add_typer(document.app, name="document")
app.add_typer(link.app, name="link")
app.add_typer(people.app, name="member")  # set, contact, role
app.add_typer(measures.indicator, name="indicator")  # measure
app.add_typer(measures.followup, name="followup")  # add
casefacts.register(cases.app)  # case edit, budget, close, abandon
