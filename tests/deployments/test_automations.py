"""The example automation: installed once through Prefect's API; its flow alerts once."""

import time
from datetime import UTC, datetime

import pytest
from prefect.client.orchestration import get_client
from sqlmodel import select

from deployments.automations import EVENT, NAME, install
from deployments.catalog import deployments
from dla.db import make_engine, transaction
from dla.timeline import add_event
from flows.alerts import alert_coordination
from models import Case
from tests.factories import save_case


@pytest.fixture
def alert_deployment(prefect_server):
    """The catalogue's alert deployment registered on the test server (not served)."""
    (deployment,) = [d for d in deployments() if d.name == "prevenir-la-coordination"]
    deployment_id = deployment.apply()
    yield deployment_id
    with get_client(sync_client=True) as client:
        for automation in client.read_automations_by_name(NAME):
            client.delete_automation(automation.id)
        client.delete_deployment(deployment_id)


def test_installing_the_example_twice_leaves_one_automation_on_blocking_points(
    alert_deployment,
):
    first, created = install()
    again, created_again = install()

    assert (created, created_again) == (True, False) and first == again
    with get_client(sync_client=True) as client:
        (automation,) = client.read_automations_by_name(NAME)
    assert automation.trigger.expect == {EVENT}
    (action,) = automation.actions
    assert action.deployment_id == alert_deployment
    assert action.parameters["alerte"]["cle"]["template"] == "{{ event.payload.cle }}"


def test_the_alert_flow_emails_the_coordination_once_per_review(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    with transaction(engine) as session:
        add_event(
            session,
            case_id=session.exec(select(Case.id)).one(),
            at=datetime.now(UTC),
            kind="vigilance.reviewed",
            summary="Points de vigilance",
            actor="test",
            data={"stage": "diagnostic", "findings": ["indicateurs-avant-mise-en-oeuvre"]},
            key="vigilance:diagnostic:abc",
        )
    request = {"reference": "DLA99-2024-01", "cle": "vigilance:diagnostic:abc"}

    assert alert_coordination(alerte=request) == (
        "alerte envoyée à coordination@dla-test.example.org"
    )
    assert alert_coordination(alerte=request).startswith("aucune alerte à envoyer")
    outbox = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(outbox) == 1 and "indicateurs avec cibles" in outbox[0].read_text()
    # Refused at once, and not retried (the flow retries a failed sending, 5 min apart).
    started = time.monotonic()
    state = alert_coordination(alerte=request | {"cle": "inconnue"}, return_state=True)
    assert state.is_failed() and "revue des points de vigilance inconnue" in state.message
    assert time.monotonic() - started < 60
    engine.dispose()
