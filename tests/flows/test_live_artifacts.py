"""The flows that change a case publish its artifacts and the portfolio at once."""

import json
from datetime import UTC, date, datetime

from prefect.artifacts import Artifact

from dla.db import make_engine
from dla.links import case_link
from flows.case_artifacts import artifact_key
from flows.coordinator_actions import ActionForm, coordinator_action
from flows.portfolio_artifacts import PORTFOLIO_KEY
from tests.factories import REFERENCE, open_case_stage

DONE = {"reference": REFERENCE, "action": "Marquer une tâche faite", "etape": "diagnostic",
        "tache": "note-diagnostic", "aujourdhui": date(2024, 1, 15), "par": "Léa"}  # fmt: skip


def latest(key: str):
    artifact = Artifact.get(key)
    assert artifact is not None, key
    return artifact


def test_a_coordinator_action_refreshes_its_case_and_the_portfolio(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    open_case_stage(engine, tmp_path)
    engine.dispose()
    before = datetime.now(UTC)

    coordinator_action(ActionForm(**DONE))

    case = latest(artifact_key("cas", REFERENCE))
    journal = latest(artifact_key("journal", REFERENCE))
    portfolio = latest(PORTFOLIO_KEY)
    assert min(case.created, journal.created, portfolio.created) >= before
    assert "en attente de validation" in case.description
    assert f"[Page du cas dans le bureau]({case_link(REFERENCE)})" in journal.data
    rows = json.loads(portfolio.data) if isinstance(portfolio.data, str) else portfolio.data
    assert [r["référence"] for r in rows] == [REFERENCE]
    assert case_link(REFERENCE) in rows[0]["bureau"]
