"""The example automation `make up` installs through Prefect's API: a blocking point of
vigilance on any case runs "prévenir la coordination" for that case (flows/alerts.py).

Installing twice leaves the first one as it is (a coordinator may have changed it in the UI).

Usage, from the project's root: python -m deployments.automations
"""

import sys
from datetime import timedelta
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.events.actions import RunDeployment
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

NAME = "Point de vigilance bloquant : prévenir la coordination"
DEPLOYMENT = "alerte/prevenir-la-coordination"
EVENT = "dla.vigilance.bloquant"


def _from_event(template: str) -> dict:
    # A value Prefect renders from the triggering event when it runs the deployment.
    return {"__prefect_kind": "jinja", "template": template}


def automation(deployment_id: UUID) -> AutomationCore:
    """Return the automation: on each blocking point of any case, alert its coordination."""
    return AutomationCore(
        name=NAME,
        description="Exemple installé par « make up » : à chaque point de vigilance bloquant "
        "d'un cas, un courriel part vers la coordination DLA du cas (une fois par point).",
        enabled=True,
        trigger=EventTrigger(
            expect={EVENT},
            match={"prefect.resource.id": "dla.cas.*"},
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            RunDeployment(
                source="selected",
                deployment_id=deployment_id,
                parameters={
                    "alerte": {
                        "reference": _from_event("{{ event.resource['dla.reference'] }}"),
                        "cle": _from_event("{{ event.payload.cle }}"),
                    }
                },
            )
        ],
    )


def install() -> tuple[UUID, bool]:
    """Create the automation unless one of that name exists; return its id and if it is new."""
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(NAME)
        if existing:
            return existing[0].id, False
        deployment = client.read_deployment_by_name(DEPLOYMENT)
        return client.create_automation(automation(deployment.id)), True


if __name__ == "__main__":
    try:
        automation_id, created = install()
    except Exception as exc:  # noqa: BLE001  (make up goes on without the example)
        print(f"Automatisation d'exemple non installée : {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Automatisation « {NAME} » : {'installée' if created else 'déjà présente'}")
