"""The portfolio dashboard and the follow-up check, read from a replayed sample case."""

from datetime import date

from sqlmodel import Session

from dla.dashboard import dashboard_rows, follow_ups_due


def test_the_dashboard_shows_a_blocked_case_with_its_level_and_a_link_to_its_runs(
    engine, replayed_sample
):
    replayed_sample("bouches-du-rhone-2005.yaml")

    with Session(engine) as session:
        (row,) = dashboard_rows(session=session, today=date(2006, 7, 3), ui_url="http://ui")

    assert row["référence"] == "DLA13-2005-01"
    assert row["statut"] == "en attente de validation"
    assert row["validations attendues"] == 1
    assert row["vigilance"] == "bloquant"
    assert row["runs"] == "http://ui/runs?flow-run-search=DLA13-2005-01"
    assert row["bureau"] == "http://127.0.0.1:4201/cas/DLA13-2005-01"


def test_follow_ups_due_this_month_come_with_the_indicators_to_collect(engine, replayed_sample):
    replayed_sample("isere-2006.yaml")

    with Session(engine) as session:
        rows = follow_ups_due(session=session, today=date(2008, 3, 1))
        late = follow_ups_due(session=session, today=date(2008, 7, 1))

    assert [(r["suivi"], r["échéance"], r["état"]) for r in rows] == [
        ("3 mois", "21 mars 2008", "à venir")
    ]
    assert "Salariés en insertion" in rows[0]["indicateurs à recueillir"]
    assert [(r["suivi"], r["état"]) for r in late] == [
        ("3 mois", "en retard"),
        ("6 mois", "en retard"),
    ]
