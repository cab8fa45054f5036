"""French wording of the vocabularies shown in documents."""

from models.enums import DemandOrigin

ORIGINS = {
    DemandOrigin.structure_unique: "Demande d'une structure",
    DemandOrigin.collectif: "Demande d'un collectif de structures",
    DemandOrigin.proposition_dla: "Proposition du DLA",
    DemandOrigin.injonction_institutionnelle: "Injonction institutionnelle",
}
ROLES = {
    "porteur": "structure porteuse",
    "membre": "structure membre",
    "reseau": "réseau IAE",
    "financeur": "financeur",
    "prestataire": "prestataire",
    "partenaire": "partenaire",
}
BODIES = {
    "conseil_administration": "conseil d'administration",
    "bureau": "bureau",
    "assemblee_generale": "assemblée générale",
    "comite_pilotage": "comité de pilotage",
    "comite_technique": "comité technique",
    "coordination_dla": "coordination DLA",
    "financeur": "financeur",
}
DECISIONS = {
    "validee": "validée",
    "validee_avec_reserves": "validée avec réserves",
    "refusee": "refusée",
    "reportee": "reportée",
}
MUTUALISATIONS = {
    "poste_partage": "poste partagé",
    "service_commun": "service commun",
    "nouvelle_entite": "nouvelle entité commune",
    "groupement_employeurs": "groupement d'employeurs",
    "fusion": "fusion",
    "rapprochement": "rapprochement",
    "plateforme_collaborative": "plateforme collaborative",
}
ROLE_ORDER = ["porteur", "membre", "reseau", "partenaire", "financeur", "prestataire"]
KINDS = {
    "siae": "SIAE",
    "reseau": "réseau IAE",
    "financeur": "financeur",
    "prestataire": "prestataire",
    "porteur_dla": "organisme de portage DLA",
    "collectivite": "collectivité",
    "autre": "autre",
}
