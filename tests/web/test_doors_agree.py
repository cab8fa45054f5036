"""Every door refuses the same bad input with the same French reasons, and changes no row.

The core function, the `dla` command, the desk's form (and, for one action, the Prefect
deployment's flow) are given the same mistake about the same case.
"""

from datetime import date

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from dla.actions import (
    ActionRefused,
    Actor,
    add_task,
    end_period,
    mark_task_done,
    mark_task_not_done,
    move_deadline,
    start_period,
)
from dla.cli import app
from dla.clock import FixedClock
from dla.db import transaction
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, TODAY
from tests.web.test_task_forms import form_of, opened

CLOCK = FixedClock.on(TODAY)  # the desk's day: 1 March 2024
runner = CliRunner(env={"COLUMNS": "250"})
HEADER = "Action refusée, rien n'a été enregistré :"

# action: (core call, CLI arguments, desk path, desk form fields)
CASES = {
    "tâche faite": (
        lambda **kw: mark_task_done(
            MINE, "diagnostic", "note-diagnostic", done_on=date(2024, 3, 4), **kw
        ),
        ["task", "done", MINE, "diagnostic", "note-diagnostic", "--on", "04/03/2024"],
        "/etapes/diagnostic/taches/note-diagnostic/faite",
        {"fait_le": "04/03/2024"},
    ),
    "tâche à faire": (
        lambda **kw: mark_task_not_done(MINE, "diagnostic", "note", **kw),
        ["task", "undo", MINE, "diagnostic", "note"],
        "/etapes/diagnostic/taches/note/a-faire",
        {},
    ),
    "échéance déplacée": (
        lambda **kw: move_deadline(MINE, "diagnostic", None, to=date(2024, 3, 2), reason=" ", **kw),
        ["deadline", "move", MINE, "diagnostic", "--to", "02/03/2024", "--reason", " "],
        "/etapes/diagnostic/fin",
        {"echeance": "02/03/2024", "motif": " "},
    ),
    "tâche ajoutée": (
        lambda **kw: add_task(
            MINE,
            "mise-en-oeuvre",
            key="Bilan",
            title="Bilan",
            owner="banque",
            due_on=date(2024, 3, 5),
            **kw,
        ),  # fmt: skip
        [
            "task",
            "add",
            MINE,
            "mise-en-oeuvre",
            "Bilan",
            "--title",
            "Bilan",
            "--owner",
            "banque",
            "--due",
            "05/03/2024",
        ],  # fmt: skip
        "/etapes/mise-en-oeuvre/taches",
        {"cle": "Bilan", "titre": "Bilan", "responsable": "banque", "echeance": "05/03/2024"},
    ),
    "période ouverte": (
        lambda **kw: start_period(MINE, kind="appropriation", end_on=date(2024, 2, 29), **kw),
        ["period", "start", MINE, "--kind", "appropriation", "--end", "29/02/2024"],
        "/periodes",
        {"type": "appropriation", "debut": "", "fin": "29/02/2024"},
    ),
    "période terminée": (
        lambda **kw: end_period(MINE, "pause", **kw),
        ["period", "end", MINE, "pause"],
        "/periodes/pause/fin",
        {"fin": ""},
    ),
}


def core_refusal(engine, call) -> list[str]:
    with transaction(engine) as session, pytest.raises(ActionRefused) as caught:
        call(session=session, clock=CLOCK, actor=Actor("test", "cli"))
    return [p.message for p in caught.value.problems]


@pytest.mark.parametrize("action", list(CASES))
def test_core_cli_and_desk_give_the_same_refusal_and_change_nothing(desk, dla_env, action):
    call, arguments, path, fields = CASES[action]
    opened(desk)
    rows = all_rows(desk.engine)

    messages = core_refusal(desk.engine, call)
    assert messages

    result = runner.invoke(app, [*arguments, "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    assert result.output.strip() == "\n- ".join([HEADER, *messages])

    client = desk.client(CHARGEE)
    response = client.post(f"/cas/{MINE}{path}", data=form_of(client) | fields)
    assert response.status_code == 400
    for message in messages:
        assert str(escape(message)) in response.text

    assert all_rows(desk.engine) == rows


def test_the_prefect_form_gives_the_same_refusal_too(desk, dla_env, prefect_server):
    from flows.coordinator_actions import ActionFailed, ActionForm, coordinator_action

    opened(desk)
    rows = all_rows(desk.engine)
    messages = core_refusal(desk.engine, CASES["échéance déplacée"][0])
    form = ActionForm(
        reference=MINE, action="Déplacer une échéance", etape="diagnostic",
        echeance=date(2024, 3, 2), motif=" ", aujourdhui=TODAY,
    )  # fmt: skip
    with pytest.raises(ActionFailed) as caught:
        coordinator_action(form)
    assert str(caught.value) == f"{HEADER} " + " ; ".join(messages)
    assert all_rows(desk.engine) == rows
