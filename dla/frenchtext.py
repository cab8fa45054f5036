"""French wording of dates and labels shown to users."""

from datetime import date

from babel.dates import format_date


def fr_date(day: date | None) -> str:
    """Write a date the French way: 27 novembre 2006."""
    return "—" if day is None else format_date(day, "d MMMM y", locale="fr_FR")


LABELS = {
    "mobilisation": "Mobilisation initiale",
    "diagnostic": "Diagnostic",
    "plan": "Plan d'accompagnement et choix du prestataire",
    "mise_en_oeuvre": "Formalisation et mise en œuvre",
    "suivi": "Accompagnement dans la durée",
    "en_preparation": "en préparation",
    "en_cours": "en cours",
    "en_attente_validation": "en attente de validation",
    "a_venir": "à venir",
    "ouverte": "ouverte",
    "close": "close",
    "a_faire": "à faire",
    "faite": "faite",
    "annulee": "annulée",
    "suivi_cas": "suivi",
    "validee": "validée",
    "validee_avec_reserves": "validée avec réserves",
    "refusee": "refusée",
    "reportee": "reportée",
    "conseil_administration": "conseil d'administration",
    "assemblee_generale": "assemblée générale",
    "comite_pilotage": "comité de pilotage",
    "comite_technique": "comité technique",
    "coordination_dla": "coordination DLA",
    "appropriation": "période d'appropriation",
    "non_intervention": "période de non-intervention",
}


# A case's status has words of its own: "suivi" is also the name of the last moment
# ("Accompagnement dans la durée"), and a case is "clos" where a stage is "close".
CASE_STATUS_LABELS = {
    "en_preparation": "en préparation",
    "en_cours": "en cours",
    "en_attente_validation": "en attente de validation",
    "suivi": "terminé (suivis à venir)",
    "close": "clos",
}


def case_status_label(value: str) -> str:
    """Return the French word of a case's status (en cours, terminé, clos…)."""
    return CASE_STATUS_LABELS.get(str(value), label(value))


def label(value: str) -> str:
    """Return the French label of an enum value (the value itself when none is known)."""
    return LABELS.get(str(value), str(value).replace("_", " "))
