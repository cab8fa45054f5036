"""Every deployment coordinators see in the Prefect UI: name, form, schedule.

Defined once in Python (not in a prefect.yaml) so that `make up` serves them from one process
and a scale-out installation registers the same list to a work pool.
"""

from prefect.schedules import Cron
from prefect.utilities.callables import ParameterSchema
from pydantic import ConfigDict

PARIS = "Europe/Paris"


class ClosedParameters(ParameterSchema):
    """A deployment's parameter schema that refuses a name its flow does not take."""

    model_config = ConfigDict(extra="allow")


def closed(deployment):
    """Make the API refuse a run with an unknown parameter (HTTP 409, naming it).

    Prefect checks a run's parameters against this schema (`enforce_parameter_schema`, on by
    default); without `additionalProperties: false` an unknown name passes, and the run's
    process dies on it before the flow starts ("Process exited with status code: 1").
    """
    schema = deployment._parameter_openapi_schema.model_dump()
    deployment._parameter_openapi_schema = ClosedParameters(**schema, additionalProperties=False)
    return deployment


def deployments() -> list:
    """Return the runner deployments, flows imported here only (Prefect is heavy)."""
    from flows.alerts import alert_coordination
    from flows.case_flow import run_case
    from flows.coordinator_actions import coordinator_action
    from flows.deliver import deliver, document_title
    from flows.open_case import load_case, open_case
    from flows.portfolio_artifacts import follow_up_check
    from flows.reminders import sweep_reminders, weekly_digest
    from flows.validate_case import validate_case

    listed = [
        open_case.to_deployment(
            "ouvrir-un-cas",
            description="Ouvrir un accompagnement à partir d'un modèle de parcours et de quelques "
            "champs ; son suivi démarre aussitôt.",
            tags=["accompagnement"],
        ),
        load_case.to_deployment(
            "charger-un-fichier-de-cas",
            description="Charger (ou recharger) un fichier de cas déposé dans var/cas/.",
            tags=["accompagnement"],
        ),
        run_case.to_deployment(
            "suivre-un-cas",
            description="Faire avancer un accompagnement ; attend aux validations (bouton "
            "« Resume » pour saisir la décision).",
            tags=["accompagnement"],
        ),
        validate_case.to_deployment(
            "enregistrer-une-validation",
            description="Saisir la décision d'un conseil d'administration ou d'un comité, puis "
            "reprendre le suivi du cas.",
            tags=["validation"],
        ),
        coordinator_action.to_deployment(
            "agir-sur-un-cas",
            description="Marquer une tâche faite, déplacer une échéance (avec son motif), "
            "ajouter une tâche, ouvrir ou terminer une période, ajouter ou modifier un membre, "
            "un contact ou son rôle, mesurer un indicateur, enregistrer un suivi, modifier les "
            "faits ou le budget du cas, le clore ou l'abandonner ; le cas avance aussitôt.",
            tags=["accompagnement"],
        ),
        alert_coordination.to_deployment(
            "prevenir-la-coordination",
            description="Prévenir par courriel la coordination DLA d'un cas d'un point de "
            "vigilance bloquant (lancé par l'automatisation d'exemple, une fois par point).",
            tags=["vigilance"],
        ),
        deliver.to_deployment(
            "generer-les-livrables",
            description="Produire les livrables d'un ou plusieurs cas (HTML, Word, PDF).",
            tags=["livrables"],
        ),
        sweep_reminders.to_deployment(
            "relances-quotidiennes",
            description="Envoyer les rappels dus, chaque jour ouvré à 8 h.",
            schedules=[Cron("0 8 * * 1-5", timezone=PARIS, slug="jours-ouvres-8h")],
            tags=["relances"],
        ),
        weekly_digest.to_deployment(
            "resume-hebdomadaire",
            description="Résumé hebdomadaire de chaque chargé·e de mission, le lundi à 7 h 30.",
            schedules=[Cron("30 7 * * 1", timezone=PARIS, slug="lundi-7h30")],
            tags=["relances"],
        ),
        follow_up_check.to_deployment(
            "suivis-mensuels",
            description="Suivis à 3, 6 et 12 mois dus dans le mois ou en retard, le 1er du mois "
            "à 8 h ; rafraîchit aussi le tableau de bord du portefeuille.",
            schedules=[Cron("0 8 1 * *", timezone=PARIS, slug="1er-du-mois-8h")],
            tags=["suivi"],
        ),
        deliver.to_deployment(
            "synthese-hebdomadaire",
            description="Synthèse transversale des cas, le lundi à 7 h.",
            schedules=[
                Cron(
                    "0 7 * * 1",
                    timezone=PARIS,
                    slug="lundi-7h",
                    parameters={
                        "demande": {"documents": [document_title("synthese")], "synthese": True}
                    },
                )
            ],
            tags=["livrables"],
        ),
    ]
    return [closed(d) for d in listed]
