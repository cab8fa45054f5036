"""The coordinator's decision form on the case page: each awaited board's decision, checked as
`dla validate` checks it, with its minutes; errors beside the fields; the case moves at once."""

import re
from datetime import date

import pytest
from markupsafe import escape
from sqlmodel import Session, select

from models import Attachment, Stage, Validation
from models.enums import AttachmentKind, Decision, StageStatus
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, OTHER_COORDINATOR, PDF, csrf_of
from tests.web.test_task_forms import form_of, mine, opened

DECIDE = f"/cas/{MINE}/etapes/diagnostic/decisions"
BOARD = {"structure": "aci-un", "instance": "conseil_administration"}


@pytest.fixture(autouse=True)
def no_prefect(monkeypatch):
    """The desk without a Prefect server: a decision advances the case by its plain step."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)


def decide(client, board=BOARD, files=None, form=None, **typed):
    fields = {"date": "20/02/2024", "decision": "validee"} | typed
    return client.post(DECIDE, data=(form or form_of(client)) | board | fields, files=files)


def decisions(desk) -> list[Validation]:
    with Session(desk.engine) as session:
        return list(
            session.exec(select(Validation).where(Validation.case_id == desk.case_id(MINE)))
        )


def test_the_case_page_offers_a_decision_form_for_each_board_the_open_gate_awaits(desk):
    page = opened(desk).client(CHARGEE).get(f"/cas/{MINE}").text
    forms = re.findall(r'name="structure" value="([^"]*)">\s*<input type="hidden" name="instance" '
                       r'value="([^"]*)"', page)  # fmt: skip
    assert forms == [("aci-un", "conseil_administration"), ("ai-deux", "conseil_administration")]
    assert '<option value="validee_avec_reserves">validée avec réserves</option>' in page


def test_a_decision_entered_on_the_desk_is_recorded_by_that_person_via_the_desk(desk):
    client = opened(desk).client(CHARGEE)
    response = decide(
        client, commentaire="Sous réserve du budget", decision="validee_avec_reserves"
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/cas/{MINE}#etapes"
    (validation,) = decisions(desk)
    assert (validation.decision, validation.decided_on) == (
        Decision.validee_avec_reserves,
        date(2024, 2, 20),
    )
    assert (validation.recorded_by, validation.channel) == ("coordination", "bureau")
    assert validation.comment == "Sous réserve du budget"
    page = client.get(f"/cas/{MINE}").text
    assert "Décision enregistrée : validée avec réserves le 20 février 2024" in page
    assert "saisi via bureau : Sous réserve du budget" in page


def test_the_last_awaited_board_passes_the_gate_at_once(desk):
    client = opened(desk).client(CHARGEE)
    decide(client)
    assert mine(desk, Stage, "diagnostic").status is not StageStatus.close
    decide(client, {"structure": "ai-deux", "instance": "conseil_administration"})
    assert mine(desk, Stage, "diagnostic").status is StageStatus.close
    assert mine(desk, Stage, "mise-en-oeuvre").status is StageStatus.ouverte


def test_the_minutes_are_stored_with_the_case_and_listed_on_its_page(desk):
    client = opened(desk).client(CHARGEE)
    response = decide(client, files={"pv": ("pv-ca.pdf", PDF, "application/pdf")})
    assert response.status_code == 303
    with Session(desk.engine) as session:
        piece = session.exec(select(Attachment)).one()
        stage = session.get(Stage, piece.stage_id)
    assert (piece.kind, piece.filename, stage.key) == (
        AttachmentKind.proces_verbal,
        "pv-ca.pdf",
        "diagnostic",
    )
    assert (piece.recorded_by, piece.channel) == ("coordination", "bureau")
    title = "Procès-verbal — conseil d'administration du 20 février 2024"
    assert str(escape(title)) in client.get(f"/cas/{MINE}").text


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        pytest.param(
            {"date": "31/02/2024"},
            "date",
            "date de la décision invalide : '31/02/2024' ; attendu : une date JJ/MM/AAAA",
            id="impossible-day",
        ),
        pytest.param(
            {"date": "05/01/2024"},
            "date",
            "date de décision 2024-01-05 antérieure à l'ouverture de l'étape (8 janvier 2024)",
            id="before-the-stage-opened",
        ),
        pytest.param(
            {"decision": "reportee", "report_au": ""},
            "report_au",
            "une décision reportée demande une nouvelle date (report_au) postérieure à la décision",
            id="postponed-without-a-new-date",
        ),
        pytest.param(
            {"decision": "peut-etre"},
            "decision",
            "décision à choisir parmi : validée, validée avec réserves, refusée, reportée",
            id="unknown-decision",
        ),
    ],
)
def test_a_refused_decision_comes_back_beside_its_field_with_the_typed_values(
    desk, typed, field, words
):
    client = opened(desk).client(CHARGEE)
    rows = all_rows(desk.engine)
    response = decide(client, commentaire="Réserve gardée", **typed)
    assert response.status_code == 400
    form = "decision-diagnostic-aci-un-conseil_administration"
    assert re.search(
        rf'id="{form}-{field}"[^>]*aria-invalid="true" aria-describedby="erreur-{form}-{field}"',
        response.text,
    )
    assert (
        f'<span class="erreur" id="erreur-{form}-{field}" role="alert">{escape(words)}</span>'
        in response.text
    )
    assert ">Réserve gardée</textarea>" in response.text
    assert all_rows(desk.engine) == rows


def test_minutes_that_are_not_a_pdf_are_refused_and_nothing_is_written(desk):
    client = opened(desk).client(CHARGEE)
    rows = all_rows(desk.engine)
    response = decide(client, files={"pv": ("pv.pdf", b"GIF89a pas un pdf", "application/pdf")})
    assert response.status_code == 400
    assert 'id="erreur-decision-diagnostic-aci-un-conseil_administration-pv"' in response.text
    assert all_rows(desk.engine) == rows


def test_a_board_the_gate_does_not_await_is_refused_above_the_form(desk):
    client = opened(desk).client(CHARGEE)
    rows = all_rows(desk.engine)
    response = decide(client, {"structure": "cabinet", "instance": "conseil_administration"})
    assert response.status_code == 400
    assert (
        "cabinet (conseil d&#39;administration) ne fait pas partie des validations attendues"
        in response.text
    )
    assert all_rows(desk.engine) == rows


def test_a_form_drawn_before_another_change_is_refused_and_writes_nothing(desk):
    client = opened(desk).client(CHARGEE)
    stale = form_of(client)
    decide(client)
    rows = all_rows(desk.engine)
    response = decide(client, {"structure": "ai-deux", "instance": "conseil_administration"},
                      form=stale)  # fmt: skip
    assert response.status_code == 400
    assert "modifié entre-temps par coordination" in response.text
    assert all_rows(desk.engine) == rows


def test_the_same_decision_twice_adds_nothing(desk):
    client = opened(desk).client(CHARGEE)
    decide(client)
    response = decide(client)
    assert response.status_code == 303
    assert len(decisions(desk)) == 1
    assert "Décision déjà enregistrée" in client.get(f"/cas/{MINE}").text


def test_a_decision_without_the_form_token_is_refused(desk):
    client = opened(desk).client(CHARGEE)
    form = form_of(client) | {"csrf": "faux"}
    assert decide(client, form=form).status_code == 403
    assert decisions(desk) == []


def test_a_person_who_cannot_see_the_case_cannot_decide_on_it(desk):
    client = opened(desk).client(OTHER_COORDINATOR)
    form = {"csrf": csrf_of(client.get("/cas").text), "revision": "1"}
    assert decide(client, form=form).status_code == 404
    assert decisions(desk) == []
