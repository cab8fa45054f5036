"""French words of the reminders (shown in messages, the CLI and Prefect artifacts)."""

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
