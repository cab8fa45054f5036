"""Vocabularies of the domain; values are the French words users type in case files."""

from enum import StrEnum


class OrganisationKind(StrEnum):
    siae = "siae"
    reseau = "reseau"
    financeur = "financeur"
    prestataire = "prestataire"
    porteur_dla = "porteur_dla"
    collectivite = "collectivite"
    autre = "autre"


class SiaeKind(StrEnum):
    AI = "AI"
    ACI = "ACI"
    EI = "EI"
    ETTI = "ETTI"
    GEIQ = "GEIQ"


class DemandOrigin(StrEnum):
    structure_unique = "structure_unique"
    collectif = "collectif"
    proposition_dla = "proposition_dla"
    injonction_institutionnelle = "injonction_institutionnelle"


class MutualisationKind(StrEnum):
    poste_partage = "poste_partage"
    service_commun = "service_commun"
    nouvelle_entite = "nouvelle_entite"
    groupement_employeurs = "groupement_employeurs"
    fusion = "fusion"
    rapprochement = "rapprochement"
    plateforme_collaborative = "plateforme_collaborative"


class Moment(StrEnum):
    """The five moments of an accompaniment (seed, section 4), in their order."""

    mobilisation = "mobilisation"
    diagnostic = "diagnostic"
    plan = "plan"
    mise_en_oeuvre = "mise_en_oeuvre"
    suivi = "suivi"


MOMENT_ORDER = {m: i for i, m in enumerate(Moment)}


class MemberRole(StrEnum):
    porteur = "porteur"
    membre = "membre"
    reseau = "reseau"
    financeur = "financeur"
    prestataire = "prestataire"
    partenaire = "partenaire"


class ContactRole(StrEnum):
    presidence = "presidence"
    direction = "direction"
    administration = "administration"
    coordination_dla = "coordination_dla"
    consultant = "consultant"
    referent = "referent"
    salarie = "salarie"
    autre = "autre"


class Body(StrEnum):
    """Bodies whose decision validates a stage or a step."""

    conseil_administration = "conseil_administration"
    bureau = "bureau"
    assemblee_generale = "assemblee_generale"
    comite_pilotage = "comite_pilotage"
    comite_technique = "comite_technique"
    coordination_dla = "coordination_dla"
    financeur = "financeur"


class GateRule(StrEnum):
    tous = "tous"
    quorum = "quorum"
    au_moins_un = "au_moins_un"


class Decision(StrEnum):
    validee = "validee"
    validee_avec_reserves = "validee_avec_reserves"
    refusee = "refusee"
    reportee = "reportee"


class CaseStatus(StrEnum):
    en_preparation = "en_preparation"
    en_cours = "en_cours"
    en_attente_validation = "en_attente_validation"
    suivi = "suivi"
    close = "close"


class StageStatus(StrEnum):
    a_venir = "a_venir"
    ouverte = "ouverte"
    en_attente_validation = "en_attente_validation"
    close = "close"


class StepStatus(StrEnum):
    a_faire = "a_faire"
    faite = "faite"
    annulee = "annulee"


class PeriodKind(StrEnum):
    appropriation = "appropriation"
    non_intervention = "non_intervention"


class IndicatorKind(StrEnum):
    quantitatif = "quantitatif"
    qualitatif = "qualitatif"


class DayUnit(StrEnum):
    jours = "jours"
    jours_ouvres = "jours_ouvres"
    semaines = "semaines"
    mois = "mois"


class NotificationStatus(StrEnum):
    planned = "planned"
    claimed = "claimed"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"
