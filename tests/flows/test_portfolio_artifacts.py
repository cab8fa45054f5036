"""The dashboards published in the Prefect UI (table artifacts keyed for the latest)."""

import json
from datetime import date

from prefect.artifacts import Artifact

from flows.portfolio_artifacts import FOLLOW_UPS_KEY, PORTFOLIO_KEY, FollowUpCheck, follow_up_check


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
