"""The desk's pages: what they show, escaped; exports; downloads; a bounded query count."""

import csv
import io
from pathlib import Path

import pytest
import yaml
from sqlalchemy import event

from dla.clock import FixedClock
from dla.db import transaction
from dla.settings import Settings
from dla.users import add_user
from models import UserRole
from models.enums import Decision
from tests.factories import case_data, save_case
from tests.web.conftest import CHARGEE, MINE, OTHER, PASSWORD, PDF, TODAY, Desk

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cases"

ADMIN = "admin@example.org"


def test_today_lists_the_overdue_task_with_counts_in_the_title(desk):
    text = desk.client(CHARGEE).get("/").text
    assert "<title>Aujourd'hui (1 en retard" in text
    assert "Note de diagnostic remise" in text
    assert f'href="/cas/{MINE}"' in text


def test_a_title_with_markup_shows_as_text(desk):
    client = desk.client(ADMIN)
    for path in ("/", "/cas", f"/cas/{OTHER}"):
        text = client.get(path).text
        assert "<script>alert(1)</script>" not in text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; Fusion &amp; co" in client.get(f"/cas/{OTHER}").text
    )


def test_the_case_page_shows_members_tasks_gates_and_timeline(desk):
    text = desk.client(CHARGEE).get(f"/cas/{MINE}").text
    for expected in ("ACI Un", "Cabinet conseil", "presidence@aci-un.example.org",
                     "Note de diagnostic remise", "conseil d&#39;administration",
                     "Accompagnement créé", "en retard"):  # fmt: skip
        assert expected in text, expected


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("departement=13", [OTHER], [MINE]),
        ("q=fusion", [OTHER], [MINE]),
        ("q=aci+un", [MINE, OTHER], []),  # a structure name both cases share
        ("retard=1", [MINE, OTHER], []),
        ("attente=1", [], [MINE, OTHER]),
        ("q=%25", [], [MINE, OTHER]),  # a LIKE wildcard is searched for, not obeyed
    ],
)
def test_the_list_filters_live_in_the_url(desk, query, shown, hidden):
    text = desk.client(ADMIN).get(f"/cas?{query}").text
    assert all(r in text for r in shown) and not any(r in text for r in hidden)


def test_the_filtered_list_downloads_as_csv_and_xlsx(desk):
    from openpyxl import load_workbook

    client = desk.client(ADMIN)
    response = client.get("/export/cas.csv?departement=13")
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "référence" and [r[0] for r in rows[1:]] == [OTHER]
    xlsx = client.get("/export/cas.xlsx?departement=13")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "référence" and [v[0] for v in values[1:]] == [OTHER]


def test_a_document_downloads_with_its_type_and_name(desk):
    doc = desk.add_document(MINE, "livrables/dla99-2024-01/note-diagnostic-v1.pdf", PDF)
    page = desk.client(CHARGEE).get(f"/cas/{MINE}").text
    assert f"/cas/{MINE}/documents/{doc}" in page
    response = desk.client(CHARGEE).get(f"/cas/{MINE}/documents/{doc}")
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{MINE}-note_diagnostic-v1.pdf"' in response.headers["content-disposition"]


def test_the_case_file_downloads_as_yaml_and_loads_back_unchanged(desk, tmp_path):
    from dla.casefile.loader import load_case_file
    from dla.cases import save_plan

    page = desk.client(CHARGEE).get(f"/cas/{MINE}").text
    assert f'href="/cas/{MINE}/dossier.yaml"' in page
    response = desk.client(CHARGEE).get(f"/cas/{MINE}/dossier.yaml")

    assert response.headers["content-type"] == "application/yaml; charset=utf-8"
    assert f'attachment; filename="{MINE}.yaml"' == response.headers["content-disposition"]
    path = tmp_path / "telecharge.yaml"
    path.write_bytes(response.content)
    with transaction(desk.engine) as session:
        outcome = save_plan(
            load_case_file(path), session=session, clock=FixedClock.on(TODAY), actor="t", reason="t"
        )
    assert outcome.status == "inchangé"


def test_a_document_path_outside_the_deliverables_folder_is_never_served(desk):
    (desk.var_dir).mkdir(parents=True, exist_ok=True)
    doc = desk.add_document(MINE, "livrables/../secret.pdf", b"secret")
    assert desk.client(CHARGEE).get(f"/cas/{MINE}/documents/{doc}").status_code == 404


def test_the_calendar_shows_the_months_deadlines(desk):
    text = desk.client(CHARGEE).get("/calendrier?mois=2024-01").text
    assert "janvier 2024" in text and "Note de diagnostic remise" in text


def count_queries(engine, client, path) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize(
    "path",
    ["/", "/cas", "/calendrier?mois=2024-01", "/calendrier?jour=2024-01-15", "/export/cas.csv"],
)
def test_no_page_makes_more_queries_for_more_cases(desk, tmp_path, path):
    client = desk.client(ADMIN)
    before = count_queries(desk.engine, client, path)
    for n in range(3, 6):
        save_case(desk.engine, tmp_path, case_data(reference=f"DLA38-2024-0{n}"))
    assert count_queries(desk.engine, client, path) == before


def test_a_deadline_moved_by_a_period_shows_its_first_date(engine, database_url, tmp_path):
    data = yaml.safe_load(SAMPLES.joinpath("isere-2006.yaml").read_text(encoding="utf-8"))
    save_case(engine, tmp_path, data)
    with transaction(engine) as session:
        add_user(session=session, clock=FixedClock.on(TODAY), email=ADMIN, name="A",
                 role=UserRole.admin, password=PASSWORD)  # fmt: skip
    settings = Settings(var_dir=tmp_path / "var", database_url=database_url, secret_key="k" * 40)
    desk = Desk(engine, settings, tmp_path / "var")
    try:
        text = desk.client(ADMIN).get("/cas/DLA38-2006-01").text
    finally:
        desk.close()
    assert "décalée par une période (prévue le 13 novembre 2006)" in text


def test_the_desk_words_statuses_and_roles_as_the_documents_do(desk):
    from sqlmodel import select

    from models import Case
    from models.enums import CaseStatus

    with transaction(desk.engine) as session:
        session.exec(select(Case).where(Case.reference == MINE)).one().status = CaseStatus.suivi
    client = desk.client(ADMIN)
    page = client.get(f"/cas/{MINE}").text
    assert "statut <strong>terminé (suivis à venir)</strong>" in page
    for expected in ("structure porteuse", "présidence", "SIAE"):
        assert expected in page, expected
    listed = client.get("/cas?statut=suivi").text
    assert "<td>terminé (suivis à venir)</td>" in listed
    rows = list(
        csv.reader(io.StringIO(client.get("/export/cas.csv?statut=suivi").text), delimiter=";")
    )
    assert "terminé (suivis à venir)" in rows[1]


def test_a_crowded_day_shows_a_few_events_and_links_to_the_days_page(desk, monkeypatch):
    import re

    monkeypatch.setattr("dla.agenda.DAY_LIMIT", 1)
    client = desk.client(ADMIN)
    month = client.get("/calendrier?mois=2024-01").text
    more = re.findall(r'href="/calendrier\?jour=(2024-01-\d\d)">(\d+) de plus</a>', month)
    assert more, "no day of January 2024 has more than one event"
    day, count = more[0]
    page = client.get(f"/calendrier?jour={day}").text
    # The day's page lists every event: the one shown in the month and the others.
    assert page.count('<tr class="') == int(count) + 1
    assert MINE in page and OTHER in page


def test_the_calendar_filters_by_departement(desk):
    client = desk.client(ADMIN)
    everything = client.get("/calendrier?mois=2024-01").text
    assert MINE in everything and OTHER in everything
    assert '<option value="13">13</option>' in everything
    only = client.get("/calendrier?mois=2024-01&departement=13").text
    assert OTHER in only and MINE not in only
    assert '<option value="13" selected>13</option>' in only
    assert "/calendrier?mois=2024-02&amp;departement=13" in only  # the months keep the filter
    # A département the person does not see is ignored, not an error.
    assert MINE in client.get("/calendrier?mois=2024-01&departement=75").text


def test_a_day_page_of_an_empty_day_says_so(desk):
    text = desk.client(CHARGEE).get("/calendrier?jour=2030-06-01").text
    assert "Rien ce jour-là." in text


def test_today_lists_each_board_a_waiting_stage_still_awaits(desk, monkeypatch):
    from dataclasses import replace

    from dla.validations import record_validation
    from tests.web.test_takeeffect import CLOCK, ENTRY
    from tests.web.test_task_forms import opened
    from web.takeeffect import after_decision

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    opened(desk)
    refused = replace(ENTRY, structure="ai-deux", decision=Decision.refusee)
    for entry in (ENTRY, refused):
        with transaction(desk.engine) as session:
            record_validation(entry, session=session, clock=CLOCK, recorded_by="t", channel="t")
        if entry is ENTRY:  # the stage's end has passed: it now waits for its boards
            after_decision(desk.engine, ENTRY, CLOCK)
    text = desk.client(CHARGEE).get("/").text
    section = text[text.index('id="validations"') : text.index('id="periodes"')]
    # aci-un said yes: no line; ai-deux said no: still awaited, its refusal shown.
    assert "Validations attendues (1)" in section
    assert "AI Deux" in section and "ACI Un" not in section
    assert "refusée le 20 février 2024" in section
    # Dated from the day the stage began to wait (its timeline), not from its planned end.
    assert "<td>1er mars 2024</td>" in section


def test_a_long_section_of_today_shows_its_first_lines_and_leads_to_the_list(desk, monkeypatch):
    monkeypatch.setattr("dla.inbox.SECTION_LIMIT", 1)
    text = desk.client(ADMIN).get("/").text
    section = text[text.index('id="retard"') : text.index('id="echeances"')]
    assert "Tâches en retard (2)" in section
    assert '1 lignes affichées sur 2 : affinez dans <a href="/cas?retard=1">Cas</a>' in section
