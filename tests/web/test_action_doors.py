"""Every door gives the same refusal: the same bad input through the core function, the
command line and the desk form is refused with the same French messages, and no row changes."""

import re
from dataclasses import dataclass, field

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from dla.actions import ActionRefused, Actor
from dla.actions.budget import set_budget_days
from dla.actions.closing import abandon_case, close_case
from dla.actions.contacts import set_contact, set_contact_role
from dla.actions.facts import edit_facts
from dla.actions.followups import record_follow_up
from dla.actions.measures import record_measure
from dla.actions.members import set_member
from dla.cli import app
from dla.clock import FixedClock
from dla.db import transaction
from models import Indicator
from models.enums import IndicatorKind
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, TODAY, csrf_of

runner = CliRunner(env={"COLUMNS": "250"})
PRESIDENT = "presidence@aci-un.example.org"


@dataclass(frozen=True)
class Door:
    """One bad input, as each door takes it."""

    core: object  # (session, clock, actor) → the action's call
    cli: list[str]
    path: str
    form: dict = field(default_factory=dict)


DOORS = {
    "member": Door(
        lambda **kw: set_member(
            MINE, "aci-trois", role="membre", name="ACI Trois", kind="siae", **kw
        ),
        [
            "member",
            "set",
            MINE,
            "aci-trois",
            "--role",
            "membre",
            "--name",
            "ACI Trois",
            "--kind",
            "siae",
        ],
        "membres",
        {"organisation": "aci-trois", "role": "membre", "nom": "ACI Trois", "type": "siae"},
    ),
    "contact": Door(
        lambda **kw: set_contact(MINE, PRESIDENT, phone="12", new_email="x@", **kw),
        ["member", "contact", MINE, PRESIDENT, "--phone", "12", "--new-email", "x@"],
        "contacts",
        {"email": PRESIDENT, "telephone": "12", "nouvelle_adresse": "x@"},
    ),
    "contact role": Door(
        lambda **kw: set_contact_role(MINE, PRESIDENT, role="chef", organisation="ailleurs", **kw),
        ["member", "role", MINE, PRESIDENT, "chef", "--organisation", "ailleurs"],
        "contacts/role",
        {"email": PRESIDENT, "role": "chef", "organisation": "ailleurs"},
    ),
    "measure": Door(
        lambda **kw: record_measure(MINE, "postes", value="beaucoup", **kw),
        ["indicator", "measure", MINE, "postes", "beaucoup"],
        "indicateurs/postes/mesure",
        {"valeur": "beaucoup", "mesure_le": ""},
    ),
    "follow-up": Door(
        lambda **kw: record_follow_up(MINE, 3, summary=" ", measures={"postes": "x"}, **kw),
        ["followup", "add", MINE, "3", "--summary", " ", "--measure", "postes=x"],
        "suivis",
        {"mois": "3", "fait_le": "", "resume": " ", "mesure_postes": "x"},
    ),
    "facts": Door(
        lambda **kw: edit_facts(MINE, {"titre": "", "contexte.analyse": "a\x07"}, **kw),
        ["case", "edit", MINE, "--title", "", "--fact", "contexte.analyse=a\x07"],
        "faits",
        {"titre": "", "contexte.analyse": "a\x07"},
    ),
    "budget": Door(
        lambda **kw: set_budget_days(MINE, "note-diagnostic", terrain="-1", cabinet="x", **kw),
        ["case", "budget", MINE, "note-diagnostic", "--on-site", "-1", "--office", "x"],
        "budget",
        {"tache": "note-diagnostic", "terrain": "-1", "cabinet": "x"},
    ),
    "close": Door(
        lambda **kw: close_case(MINE, reason=" ", **kw),
        ["case", "close", MINE, "--reason", " "],
        "clore",
        {"motif": " "},
    ),
    "abandon": Door(
        lambda **kw: abandon_case(MINE, reason="x" * 501, **kw),
        ["case", "abandon", MINE, "--reason", "x" * 501],
        "abandonner",
        {"motif": "x" * 501},
    ),
}


@pytest.fixture
def doors(desk, dla_env):
    """The desk's case, given an indicator; the command line on the same database."""
    with transaction(desk.engine) as session:
        session.add(
            Indicator(
                case_id=desk.case_id(MINE),
                key="postes",
                label="Postes partagés pourvus",
                kind=IndicatorKind.quantitatif,
                unit="ETP",
            )
        )
    return desk


@pytest.mark.parametrize("name", DOORS)
def test_the_same_bad_input_gets_the_same_refusal_at_every_door(doors, name):
    door = DOORS[name]
    rows = all_rows(doors.engine)

    with pytest.raises(ActionRefused) as caught, transaction(doors.engine) as session:
        door.core(session=session, clock=FixedClock.on(TODAY), actor=Actor("t", "prefect"))
    messages = [p.message for p in caught.value.problems]
    assert messages and all_rows(doors.engine) == rows

    result = runner.invoke(app, [*door.cli, "--today", TODAY.isoformat()])
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in result.output
    assert all_rows(doors.engine) == rows

    client = doors.client(CHARGEE)
    html = client.get(f"/cas/{MINE}").text
    token = {
        "csrf": csrf_of(html),
        "revision": re.search(r'name="revision" value="(\d+)"', html)[1],
    }
    response = client.post(f"/cas/{MINE}/{door.path}", data=token | door.form)
    assert response.status_code == 400
    for message in messages:
        assert str(escape(message)) in response.text
    assert all_rows(doors.engine) == rows
