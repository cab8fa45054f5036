"""French wording of the vocabularies shown in documents."""

from dla.frenchtext import label
from models.enums import Body, Decision, DemandOrigin

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
# Bodies and decisions are worded once, in dla.frenchtext (timeline, mail and documents alike).
BODIES = {b.value: label(b.value) for b in Body}
DECISIONS = {d.value: label(d.value) for d in Decision}
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
