"""Every door refuses the same bad input with the same French reasons, and changes no row.

The core function, the `dla` command, the desk's form, the case-file loader (where a case file
can say the same thing) and, for one action, the Prefect deployment's flow are given the same
mistake about the same case.
"""

from collections.abc import Callable
from dataclasses import dataclass
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
from dla.validations import DecisionInput, record_validation
from models.enums import Body, Decision
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, TODAY, loader_refusal, stage_of, task_of
from tests.web.test_task_forms import form_of, opened

CLOCK = FixedClock.on(TODAY)  # the desk's day: 1 March 2024
runner = CliRunner(env={"COLUMNS": "250"})
HEADER = "Action refusée, rien n'a été enregistré :"
BOARD = {"structure": "aci-un", "instance": "conseil_administration"}


@dataclass(frozen=True)
class Door:
    """One bad input, as each door takes it (`file`: as a case file says it, if it can)."""

    core: Callable  # (session, clock, actor) → the action's call
    cli: list[str]
    path: str
    form: dict
    file: Callable[[dict], None] | None = None
    setup: Callable | None = None  # (engine) → the case as the input expects it


def _later_diagnostic_end(engine) -> None:
    """Move the diagnostic's end after the desk's day: tasks may be added to it again."""
    with transaction(engine) as session:
        move_deadline(
            MINE, "diagnostic", None, to=date(2024, 3, 28), reason="Entretiens en plus",
            session=session, clock=CLOCK, actor=Actor("test", "cli"),
        )  # fmt: skip


def _decide(entry: DecisionInput):
    def call(*, session, clock, actor):
        return record_validation(
            entry, session=session, clock=clock, recorded_by=actor.name, channel=actor.channel
        )

    return call


def _period(**written):
    return lambda doc: doc.setdefault("periodes", []).append(written)


CASES = {
    "tâche faite": Door(
        lambda **kw: mark_task_done(
            MINE, "diagnostic", "note-diagnostic", done_on=date(2024, 3, 4), **kw
        ),
        ["task", "done", MINE, "diagnostic", "note-diagnostic", "--on", "04/03/2024"],
        "/etapes/diagnostic/taches/note-diagnostic/faite",
        {"fait_le": "04/03/2024"},
        file=lambda doc: task_of(doc, "diagnostic", "note-diagnostic").update(
            fait_le=date(2024, 3, 4)
        ),
    ),
    "tâche à faire": Door(
        lambda **kw: mark_task_not_done(MINE, "diagnostic", "note", **kw),
        ["task", "undo", MINE, "diagnostic", "note"],
        "/etapes/diagnostic/taches/note/a-faire",
        {},
    ),
    "échéance déplacée": Door(
        lambda **kw: move_deadline(MINE, "diagnostic", None, to=date(2024, 3, 2), reason=" ", **kw),
        ["deadline", "move", MINE, "diagnostic", "--to", "02/03/2024", "--reason", " "],
        "/etapes/diagnostic/fin",
        {"echeance": "02/03/2024", "motif": " "},
    ),
    "tâche ajoutée": Door(
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
    "tâche due un samedi": Door(
        lambda **kw: add_task(
            MINE,
            "diagnostic",
            key="entretiens",
            title="Entretiens",
            owner="coordination",
            due_on=date(2024, 3, 9),
            **kw,
        ),  # fmt: skip
        [
            "task",
            "add",
            MINE,
            "diagnostic",
            "entretiens",
            "--title",
            "Entretiens",
            "--owner",
            "coordination",
            "--due",
            "09/03/2024",
        ],  # fmt: skip
        "/etapes/diagnostic/taches",
        {
            "cle": "entretiens",
            "titre": "Entretiens",
            "responsable": "coordination",
            "echeance": "09/03/2024",
        },  # fmt: skip
        file=lambda doc: stage_of(doc, "diagnostic")["taches"].append(
            {
                "cle": "entretiens",
                "titre": "Entretiens",
                "responsable": "coordination",
                "echeance": date(2024, 3, 9),
            }  # fmt: skip
        ),
        setup=_later_diagnostic_end,
    ),
    "période ouverte": Door(
        lambda **kw: start_period(MINE, kind="appropriation", end_on=date(2024, 2, 29), **kw),
        ["period", "start", MINE, "--kind", "appropriation", "--end", "29/02/2024"],
        "/periodes",
        {"type": "appropriation", "debut": "", "fin": "29/02/2024"},
        file=_period(
            cle="appropriation-2024-03-01", type="appropriation", debut=TODAY, fin=date(2024, 2, 29)
        ),  # fmt: skip
    ),
    "période d'un type inconnu": Door(
        lambda **kw: start_period(MINE, kind="vacances", end_on=date(2024, 3, 15), **kw),
        ["period", "start", MINE, "--kind", "vacances", "--end", "15/03/2024"],
        "/periodes",
        {"type": "vacances", "debut": "", "fin": "15/03/2024"},
        file=_period(cle="vacances", type="vacances", debut=TODAY, fin=date(2024, 3, 15)),
    ),
    "période terminée": Door(
        lambda **kw: end_period(MINE, "pause", **kw),
        ["period", "end", MINE, "pause"],
        "/periodes/pause/fin",
        {"fin": ""},
    ),
    "décision avant l'ouverture de l'étape": Door(
        _decide(
            DecisionInput(
                MINE,
                "diagnostic",
                "aci-un",
                Body.conseil_administration,
                Decision.validee,
                date(2024, 1, 5),
            )
        ),  # fmt: skip
        [
            "validate",
            MINE,
            "diagnostic",
            "--structure",
            "aci-un",
            "--instance",
            "conseil_administration",
            "--decision",
            "validee",
            "--date",
            "2024-01-05",
        ],  # fmt: skip
        "/etapes/diagnostic/decisions",
        BOARD | {"date": "05/01/2024", "decision": "validee"},
        file=lambda doc: stage_of(doc, "diagnostic").update(
            decisions=[BOARD | {"decision": "validee", "date": date(2024, 1, 5)}]
        ),
    ),
}


def core_refusal(engine, call) -> ActionRefused:
    with transaction(engine) as session, pytest.raises(ActionRefused) as caught:
        call(session=session, clock=CLOCK, actor=Actor("test", "cli"))
    return caught.value


@pytest.mark.parametrize("action", list(CASES))
def test_every_door_gives_the_same_refusal_and_changes_nothing(desk, dla_env, tmp_path, action):
    door = CASES[action]
    opened(desk)
    if door.setup:
        door.setup(desk.engine)
    rows = all_rows(desk.engine)

    refused = core_refusal(desk.engine, door.core)
    messages = refused.messages()
    assert messages

    result = runner.invoke(app, [*door.cli, "--today", TODAY.isoformat()])
    assert result.exit_code == 2
    assert result.output.strip() == "\n- ".join([f"{refused.header} :", *messages])

    client = desk.client(CHARGEE)
    response = client.post(f"/cas/{MINE}{door.path}", data=form_of(client) | door.form)
    assert response.status_code == 400
    for message in messages:
        assert str(escape(message)) in response.text

    if door.file is not None:
        assert loader_refusal(desk, door.file, tmp_path) == messages

    assert all_rows(desk.engine) == rows


def test_the_prefect_form_gives_the_same_refusal_too(desk, dla_env, prefect_server):
    from flows.coordinator_actions import ActionFailed, ActionForm, coordinator_action

    opened(desk)
    rows = all_rows(desk.engine)
    messages = core_refusal(desk.engine, CASES["échéance déplacée"].core).messages()
    form = ActionForm(
        reference=MINE, action="Déplacer une échéance", etape="diagnostic",
        echeance=date(2024, 3, 2), motif=" ", aujourdhui=TODAY,
    )  # fmt: skip
    with pytest.raises(ActionFailed) as caught:
        coordinator_action(form)
    assert str(caught.value) == f"{HEADER} " + " ; ".join(messages)
    assert all_rows(desk.engine) == rows
