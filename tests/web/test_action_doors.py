"""Every door gives the same refusal: the same bad input through the core function, the
command line, the desk form, the case-file loader (where a file can say it) and, for one, the
Prefect deployment is refused with the same French messages, and no row changes."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

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
from dla.privacy.forgotten import remember_forgotten
from models import Indicator
from models.enums import IndicatorKind
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, TODAY, csrf_of, loader_refusal

runner = CliRunner(env={"COLUMNS": "250"})
PRESIDENT = "presidence@aci-un.example.org"


@dataclass(frozen=True)
class Door:
    """One bad input, as each door takes it (`file`: as a case file says it, if it can)."""

    core: object  # (session, clock, actor) → the action's call
    cli: list[str]
    path: str
    form: dict = field(default_factory=dict)
    file: Callable[[dict], None] | None = None


ERASED = "ancienne-presidence@aci-un.example.org"  # a person erased at their request


def _contact(email: str):
    written = {"email": email, "role": "direction", "organisation": "aci-un"}
    return lambda doc: doc["contacts"].append(written)


def _indicator(**written):
    return lambda doc: next(i for i in doc["indicateurs"] if i["cle"] == "postes").update(written)


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
    "contact address": Door(
        lambda **kw: set_contact(MINE, "x@", organisation="aci-un", role="direction", **kw),
        ["member", "contact", MINE, "x@", "--organisation", "aci-un", "--role", "direction"],
        "contacts",
        {"email": "x@", "organisation": "aci-un", "role": "direction"},
        file=_contact("x@"),
    ),
    "erased address": Door(
        lambda **kw: set_contact(MINE, ERASED, organisation="aci-un", role="direction", **kw),
        ["member", "contact", MINE, ERASED, "--organisation", "aci-un", "--role", "direction"],
        "contacts",
        {"email": ERASED, "organisation": "aci-un", "role": "direction"},
        file=_contact(ERASED),
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
        file=_indicator(mesure="beaucoup"),
    ),
    "measure day": Door(
        lambda **kw: record_measure(MINE, "postes", value="2", measured_on=date(2024, 3, 4), **kw),
        ["indicator", "measure", MINE, "postes", "2", "--on", "04/03/2024"],
        "indicateurs/postes/mesure",
        {"valeur": "2", "mesure_le": "04/03/2024"},
        file=_indicator(mesure=2, mesure_le=date(2024, 3, 4)),
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
    """The desk's case, given an indicator, after a person was erased; the command line on the
    same database."""
    with transaction(desk.engine) as session:
        remember_forgotten(ERASED, session=session, at=FixedClock.on(TODAY).now())
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
def test_the_same_bad_input_gets_the_same_refusal_at_every_door(doors, tmp_path, name):
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

    if door.file is not None:
        assert loader_refusal(doors, door.file, tmp_path) == messages
        assert all_rows(doors.engine) == rows


def test_the_prefect_form_refuses_a_measure_in_the_same_words(doors, prefect_server):
    from flows.coordinator_actions import ActionFailed, ActionForm, coordinator_action

    rows = all_rows(doors.engine)
    with pytest.raises(ActionRefused) as caught, transaction(doors.engine) as session:
        DOORS["measure"].core(session=session, clock=FixedClock.on(TODAY), actor=Actor("t", "cli"))
    form = ActionForm(
        reference=MINE, action="Enregistrer la mesure d'un indicateur", indicateur="postes",
        valeur="beaucoup", aujourdhui=TODAY,
    )  # fmt: skip
    with pytest.raises(ActionFailed) as failed:
        coordinator_action(form)
    assert str(failed.value) == caught.value.one_line()
    assert all_rows(doors.engine) == rows
