"""A desk action refreshes its case's Prefect artifacts and the portfolio, off the request."""

from datetime import UTC, datetime

from prefect.artifacts import Artifact
from prefect.settings import PREFECT_API_URL

from flows.case_artifacts import artifact_key
from flows.portfolio_artifacts import PORTFOLIO_KEY
from tests.web.conftest import CHARGEE, MINE
from tests.web.test_task_forms import DONE, form_of, opened
from web.liveartifacts import refresh_soon, wait_until_published


def test_a_task_marked_done_on_the_desk_republishes_its_case_and_the_portfolio(
    prefect_server, desk, monkeypatch
):
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # the desk's own setting
    client = opened(desk).client(CHARGEE)
    before = datetime.now(UTC)

    response = client.post(DONE, data=form_of(client) | {"fait_le": "15/01/2024"})

    assert response.status_code == 303
    assert wait_until_published(timeout=120)
    case, portfolio = Artifact.get(artifact_key("cas", MINE)), Artifact.get(PORTFOLIO_KEY)
    assert case.created >= before and portfolio.created >= before
    assert "en attente de validation" in case.description


def test_without_a_prefect_server_the_desk_schedules_nothing(desk, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert refresh_soon(desk.engine, MINE, datetime.now(UTC).date()) is False
    assert wait_until_published(timeout=1)
