"""The dashboards published in the Prefect UI (table artifacts keyed for the latest)."""

import json
from datetime import date

from prefect.artifacts import Artifact

from flows.portfolio_artifacts import (
    FOLLOW_UPS_KEY,
    PORTFOLIO_KEY,
    FollowUpCheck,
    first_rows,
    follow_up_check,
)


def table(key: str) -> list[dict]:
    artifact = Artifact.get(key)
    data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    return data


def test_the_monthly_check_publishes_the_follow_ups_and_the_portfolio(
    prefect_server, dla_env, replayed_sample
):
    replayed_sample("isere-2006.yaml")

    assert follow_up_check(FollowUpCheck(aujourdhui=date(2008, 3, 1))) == 1

    (follow_up,) = table(FOLLOW_UPS_KEY)
    assert (follow_up["référence"], follow_up["échéance"]) == ("DLA38-2006-01", "21 mars 2008")
    (case,) = table(PORTFOLIO_KEY)
    assert case["référence"] == "DLA38-2006-01" and case["vigilance"] in ("alerte", "aucun")


def row(reference: str, vigilance: str = "aucun", overdue: int = 0, awaiting: int = 0) -> dict:
    return {
        "référence": reference,
        "vigilance": vigilance,
        "tâches en retard": overdue,
        "validations attendues": awaiting,
        "bureau": f"http://desk/cas/{reference}",
    }


def test_a_large_portfolio_shows_the_cases_needing_attention_then_sends_to_the_desk():
    rows = [row(f"DLA38-{i:04d}") for i in range(10)]
    rows[7] = row("DLA38-LATE", overdue=3)
    rows[8] = row("DLA38-BLOCKED", vigilance="bloquant")
    rows[9] = row("DLA38-WAITING", awaiting=1)
    assert first_rows(rows, limit=10) == rows  # within the limit: whole, in its order
    shown = first_rows(rows, limit=4)
    assert [r["référence"] for r in shown[:3]] == ["DLA38-BLOCKED", "DLA38-LATE", "DLA38-WAITING"]
    assert shown[3]["référence"] == "… et 7 autres cas"
    assert shown[3]["bureau"].endswith("/cas") and shown[3]["vigilance"] == ""
