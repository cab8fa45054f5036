"""French words of the reminders (shown in messages, the CLI and Prefect artifacts)."""

from models.enums import PeriodKind

BODY_LABELS = {
    "conseil_administration": "conseil d'administration",
    "bureau": "bureau",
    "assemblee_generale": "assemblée générale",
    "comite_pilotage": "comité de pilotage",
    "comite_technique": "comité technique",
    "coordination_dla": "coordination DLA",
    "financeur": "financeur",
}

PERIOD_LABELS = {
    PeriodKind.appropriation: "période d'appropriation",
    PeriodKind.non_intervention: "période de non-intervention",
}

RULE_LABELS = {
    "echeance_proche": "échéance proche",
    "echeance_depassee": "échéance dépassée",
    "validation_attendue": "validation attendue",
    "periode_debut": "début de période",
    "periode_fin": "fin de période",
    "suivi": "suivi à recueillir",
    "resume_hebdo": "résumé hebdomadaire",
}

STATUS_LABELS = {
    "planned": "à envoyer",
    "claimed": "en cours d'envoi",
    "sent": "envoyée",
    "failed": "en échec",
    "cancelled": "annulée",
    "held": "suspendue",
    "retry": "à réessayer",
}
