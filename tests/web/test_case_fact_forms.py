"""The measure, follow-up, facts, budget and ending forms of the case page."""

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from dla.db import transaction
from models import Case, FollowUp, Indicator, Notification
from models.enums import CaseStatus, IndicatorKind, NotificationStatus
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, csrf_of

PAGE = f"/cas/{MINE}"


def form_of(client) -> dict:
    html = client.get(PAGE).text
    return {"csrf": csrf_of(html), "revision": re.search(r'name="revision" value="(\d+)"', html)[1]}


def case(desk) -> Case:
    with Session(desk.engine) as session:
        return session.exec(select(Case).where(Case.reference == MINE)).one()


@pytest.fixture
def measured(desk):
    """The desk, its case given a quantitative indicator."""
    with transaction(desk.engine) as session:
        session.add(
            Indicator(
                case_id=desk.case_id(MINE),
                key="postes",
                label="Postes partagés pourvus",
                kind=IndicatorKind.quantitatif,
                unit="ETP",
                target_value=2,
            )
        )
    return desk


def indicator(desk) -> Indicator:
    with Session(desk.engine) as session:
        return session.exec(select(Indicator).where(Indicator.key == "postes")).one()


def test_a_measure_typed_on_the_page_is_recorded(measured):
    client = measured.client(CHARGEE)
    data = {"valeur": "1,5", "mesure_le": "12/02/2024"}
    response = client.post(f"{PAGE}/indicateurs/postes/mesure", data=form_of(client) | data)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}#indicateurs"
    assert (indicator(measured).measured_value, indicator(measured).measured_on) == (
        1.5,
        date(2024, 2, 12),
    )
    assert "mesuré le 12 février 2024 : 1,5 ETP (cible : 2 ETP)" in client.get(PAGE).text


def test_a_refused_measure_keeps_the_value_and_says_why_beside_it(measured):
    client = measured.client(CHARGEE)
    rows = all_rows(measured.engine)
    data = {"valeur": "beaucoup", "mesure_le": "12/02/2024"}
    response = client.post(f"{PAGE}/indicateurs/postes/mesure", data=form_of(client) | data)
    assert response.status_code == 400
    assert 'value="beaucoup"' in response.text
    assert 'id="erreur-mesure-postes-valeur" role="alert">valeur de « Postes' in response.text
    assert all_rows(measured.engine) == rows


def test_a_follow_up_is_recorded_with_its_measure(measured):
    client = measured.client(CHARGEE)
    data = {"mois": "3", "fait_le": "", "resume": "Le poste\r\ntient.", "mesure_postes": "2"}
    response = client.post(f"{PAGE}/suivis", data=form_of(client) | data)
    assert response.status_code == 303, response.text
    with Session(measured.engine) as session:
        row = session.exec(
            select(FollowUp).where(
                FollowUp.months_after == 3, FollowUp.case_id == measured.case_id(MINE)
            )
        ).one()
    assert (row.done_on, row.notes) == (date(2024, 3, 1), "Le poste\ntient.")
    assert indicator(measured).measured_value == 2


def test_a_follow_up_without_a_summary_is_refused_beside_it(measured):
    client = measured.client(CHARGEE)
    rows = all_rows(measured.engine)
    response = client.post(f"{PAGE}/suivis", data=form_of(client) | {"mois": "3", "resume": ""})
    assert response.status_code == 400
    assert 'id="erreur-suivi-resume" role="alert">résumé : champ vide' in response.text
    assert all_rows(measured.engine) == rows


def test_the_facts_form_writes_the_demand_and_the_lists_typed_one_a_line(desk):
    client = desk.client(CHARGEE)
    data = {
        "titre": "Poste partagé",
        "contexte.demande_initiale": "Deux SIAE veulent\r\npartager un poste.",
        "contexte.enjeux": "Stabiliser\r\n\r\nPartager\r\n",
    }
    response = client.post(f"{PAGE}/faits", data=form_of(client) | data)
    assert response.status_code == 303
    assert case(desk).context["demande_initiale"] == "Deux SIAE veulent\npartager un poste."
    assert case(desk).context["enjeux"] == ["Stabiliser", "Partager"]
    page = client.get(PAGE).text
    assert "Deux SIAE veulent\npartager un poste.</textarea>" in page
    # The form sent back as shown changes nothing.
    shown = {
        "titre": "Poste partagé",
        "contexte.demande_initiale": "Deux SIAE veulent\r\npartager un poste.",
        "contexte.enjeux": "Stabiliser\r\nPartager",
    }
    rows = all_rows(desk.engine)
    assert client.post(f"{PAGE}/faits", data=form_of(client) | shown).status_code == 303
    assert "Faits du cas : inchangés" in client.get(PAGE).text
    assert all_rows(desk.engine) == rows


def test_an_emptied_title_is_refused_beside_it_with_the_other_values_kept(desk):
    client = desk.client(CHARGEE)
    rows = all_rows(desk.engine)
    data = {"titre": "", "contexte.analyse": "Une analyse gardée"}
    response = client.post(f"{PAGE}/faits", data=form_of(client) | data)
    assert response.status_code == 400
    assert 'id="erreur-faits-titre" role="alert">intitulé : champ vide' in response.text
    assert "Une analyse gardée</textarea>" in response.text
    assert all_rows(desk.engine) == rows


def test_a_task_s_days_are_set_from_the_page(desk):
    client = desk.client(CHARGEE)
    data = {"tache": "note-diagnostic", "terrain": "2", "cabinet": "1,5"}
    assert client.post(f"{PAGE}/budget", data=form_of(client) | data).status_code == 303
    assert case(desk).context["budget_jours"] == {
        "note-diagnostic": {"terrain": 2.0, "cabinet": 1.5}
    }


def test_abandoning_the_case_needs_a_reason_then_ends_it(desk):
    client = desk.client(CHARGEE)
    rows = all_rows(desk.engine)
    refused = client.post(f"{PAGE}/abandonner", data=form_of(client) | {"motif": ""})
    assert refused.status_code == 400
    assert 'id="erreur-fin-motif" role="alert">motif : champ vide' in refused.text
    assert all_rows(desk.engine) == rows
    data = {"motif": "Le collectif s'est dissous"}
    response = client.post(f"{PAGE}/abandonner", data=form_of(client) | data)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#fin"
    assert case(desk).status is CaseStatus.abandonne
    with Session(desk.engine) as session:
        assert NotificationStatus.planned not in set(session.exec(select(Notification.status)))
    page = client.get(PAGE).text
    assert "statut <strong>abandonné</strong>" in page
    assert "Abandonner l'accompagnement</button>" not in page


def test_closing_the_case_from_its_page(desk):
    client = desk.client(CHARGEE)
    response = client.post(f"{PAGE}/clore", data=form_of(client) | {"motif": "Objectifs atteints"})
    assert response.status_code == 303
    assert case(desk).status is CaseStatus.close
