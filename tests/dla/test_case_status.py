"""A case's status says what is true, in the same French words wherever it is shown."""

from datetime import date

from rich.console import Console
from sqlmodel import Session, select

from dla.cli.render import print_case, print_portfolio
from dla.dashboard import dashboard_rows
from dla.mail.render import MailRenderer
from dla.portfolio import case_detail, portfolio
from models import Case
from models.enums import CaseStatus


def shown(engine, today: date) -> dict[str, str]:
    """Return the status as the portfolio, the case view and the dashboard print it."""
    with Session(engine) as session:
        rows = portfolio(session=session, today=today)
        (row,) = rows
        listed, one = Console(record=True, width=300), Console(record=True, width=300)
        print_portfolio(rows, today, listed)
        print_case(case_detail(row.reference, session=session), one)
        (dashboard,) = dashboard_rows(session=session, today=today, ui_url=None)
    return {
        "list": listed.export_text(),
        "show": one.export_text().splitlines()[1],  # the header line with the status
        "dashboard": dashboard["statut"],
        "row": row,
    }


def test_a_finished_case_shows_its_status_not_the_title_of_its_last_stage(engine, replayed_sample):
    assert replayed_sample("cantal-2006.yaml") == "termine"

    with Session(engine) as session:
        status = session.exec(select(Case.status)).one()
    seen = shown(engine, date(2011, 12, 31))
    assert status is CaseStatus.suivi
    assert seen["dashboard"] == "terminé (suivis à venir)"
    assert seen["show"].endswith("statut : terminé (suivis à venir)")
    assert "terminé (suivis à venir)" in seen["list"]
    assert "Accompagnement dans la durée" not in seen["list"]


def test_a_case_whose_gate_passed_is_in_progress_until_its_next_stage_opens(
    engine, replayed_sample
):
    # The Isère case's intervention closes on the boards' decisions of 27 November 2006; its
    # next stage opens on 2 April 2007.
    replayed_sample("isere-2006.yaml", date(2006, 12, 1))

    with Session(engine) as session:
        status = session.exec(select(Case.status)).one()
    seen = shown(engine, date(2006, 12, 1))
    assert status is CaseStatus.en_cours
    assert seen["dashboard"] == "en cours"
    assert seen["row"].awaiting == 0
    assert seen["row"].current_stage.endswith("(à venir)")
    assert seen["show"].endswith("statut : en cours")
    assert "en attente de validation" not in seen["list"]


def test_the_weekly_summary_words_a_case_status_as_the_portfolio_does():
    case = {"reference": "DLA15-2006-01", "title": "Mobilité", "status": "suivi"}
    context = {
        "cases": [case | {"overdue": [], "due": [], "awaited": [], "vigilance": None}],
        "failed": [],
        "role": "coordination",
        "today": date(2011, 1, 3),
        "to_name": None,
        "reference": "DLA15-2006-01",
        "subject": "Résumé",
        "ics_filename": None,
    }

    text, html = MailRenderer().render("resume_hebdo", context)

    assert "Mobilité (terminé (suivis à venir))" in text
    assert "Mobilité (terminé (suivis à venir))" in html
    assert "dans la durée" not in text + html


def test_the_terminal_names_the_journey_and_the_forms_of_pooling_in_french(engine, replayed_sample):
    replayed_sample("moselle-2007.yaml", date(2007, 9, 3))

    with Session(engine) as session:
        rows = portfolio(session=session, today=date(2007, 9, 3))
        listed, one = Console(record=True, width=300), Console(record=True, width=300)
        print_portfolio(rows, date(2007, 9, 3), listed)
        print_case(case_detail(rows[0].reference, session=session), one)
    table, case = listed.export_text(), one.export_text()
    assert "│ plateforme collaborative │" in table
    assert "mutualisation : plateforme collaborative, poste partagé" in case
    assert "plateforme_collaborative" not in table + case
