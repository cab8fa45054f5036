"""The planning forms of the case page: deadlines, new tasks, periods."""

import re
from datetime import date

from sqlmodel import Session, select

from models import Period, Stage, Step, TimelineEvent
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE
from tests.web.test_task_forms import form_of, mine, opened

BASE = f"/cas/{MINE}"
MOVE = f"{BASE}/etapes/diagnostic/taches/note-diagnostic/echeance"


def error_beside(html: str, field: str) -> str:
    """Return the error shown right after a field's input."""
    found = re.search(
        rf'name="{field}"[^>]*aria-invalid="true"[^>]*>\s*<span class="erreur"[^>]*>([^<]+)</span>',
        html,
    )
    assert found, f"no error beside {field}"
    return found[1]


def test_moving_a_task_deadline_from_the_page_records_the_reason(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"echeance": "08/03/2024", "motif": "CA reporté"}
    response = client.post(f"{BASE}/etapes/diagnostic/fin", data=data)
    assert response.status_code == 303, response.text
    data = form_of(client) | {"echeance": "07/03/2024", "motif": "CA reporté"}
    assert client.post(MOVE, data=data).status_code == 303
    assert mine(desk, Step, "note-diagnostic").due_date == date(2024, 3, 7)
    assert mine(desk, Stage, "diagnostic").planned_end == date(2024, 3, 8)
    with Session(desk.engine) as session:
        kinds = session.exec(
            select(TimelineEvent.kind).where(TimelineEvent.actor == "coordination")
        )
        assert sorted(kinds) == ["stage.moved", "step.moved"]


def test_a_deadline_without_a_reason_comes_back_with_the_date_kept(desk):
    client = opened(desk).client(CHARGEE)
    rows = all_rows(desk.engine)
    response = client.post(MOVE, data=form_of(client) | {"echeance": "04/03/2024", "motif": ""})
    assert response.status_code == 400
    assert error_beside(response.text, "motif") == "motif : champ vide ; attendu : un texte"
    assert 'name="echeance" value="04/03/2024"' in response.text
    assert "<details open><summary>Déplacer l'échéance</summary>" in response.text
    assert all_rows(desk.engine) == rows


def test_a_task_added_from_the_page_has_the_chosen_owner(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"titre": "Entretiens", "cle": "entretiens",
                              "responsable": "aci-un", "echeance": "05/03/2024"}  # fmt: skip
    # The diagnostic stage ends on 22 January: its end moves first, then the task fits.
    client.post(f"{BASE}/etapes/diagnostic/fin",
                data=form_of(client) | {"echeance": "08/03/2024", "motif": "élargi"})  # fmt: skip
    data["revision"] = form_of(client)["revision"]
    assert client.post(f"{BASE}/etapes/diagnostic/taches", data=data).status_code == 303
    assert mine(desk, Step, "entretiens").owner == "aci-un"


def test_a_refused_task_shows_each_error_beside_its_field_and_keeps_the_title(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"titre": "Entretiens <b>", "cle": "Entretiens!",
                              "responsable": "aci-un", "echeance": "31/13/2024"}  # fmt: skip
    response = client.post(f"{BASE}/etapes/diagnostic/taches", data=data)
    assert response.status_code == 400
    assert error_beside(response.text, "echeance").startswith("échéance invalide")
    assert 'value="Entretiens &lt;b&gt;"' in response.text
    assert '<option value="aci-un" selected>ACI Un</option>' in response.text
    data["echeance"] = "05/03/2024"
    response = client.post(f"{BASE}/etapes/diagnostic/taches", data=data)
    assert error_beside(response.text, "cle").startswith("clé invalide : &#39;Entretiens!&#39;")
    assert error_beside(response.text, "echeance").startswith("échéance 5 mars 2024 après la fin")


def test_a_period_started_then_ended_from_the_page(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"type": "non_intervention", "debut": "01/03/2024",
                              "fin": "15/03/2024", "cle": "pause", "note": ""}  # fmt: skip
    assert client.post(f"{BASE}/periodes", data=data).status_code == 303
    page = client.get(BASE).text
    assert "période de non-intervention « pause » du 1er mars 2024 au 15 mars 2024" in page
    assert client.post(f"{BASE}/periodes/pause/fin", data=form_of(client)).status_code == 303
    assert mine(desk, Period, "pause").end_on == date(2024, 3, 1)


def test_a_period_ending_before_it_starts_comes_back_refused(desk):
    client = opened(desk).client(CHARGEE)
    data = form_of(client) | {"type": "appropriation", "debut": "", "fin": "29/02/2024"}
    response = client.post(f"{BASE}/periodes", data=data)
    assert response.status_code == 400
    assert error_beside(response.text, "fin") == (
        "fin prévue 29 février 2024 avant le début ; attendu : le 1er mars 2024 ou après"
    )
    assert mine(desk, Period, "appropriation-2024-03-01") is None
