"""Vocabularies of the domain; values are the French words users type in case files."""

from enum import StrEnum

# French titles of the vocabularies, shown by every form and schema that offers them.
TITLES = {
    "Body": "Instance",
    "ContactRole": "Rôle du contact",
    "DayUnit": "Unité de délai",
    "Decision": "Décision",
    "DemandOrigin": "Origine de la demande",
    "GateRule": "Règle de validation",
    "IndicatorKind": "Type d'indicateur",
    "MemberRole": "Rôle dans l'accompagnement",
    "Moment": "Temps de l'accompagnement",
    "MutualisationKind": "Forme de mutualisation",
    "OrganisationKind": "Type d'organisation",
    "PeriodKind": "Type de période",
    "SiaeKind": "Type de SIAE",
    "JourneyName": "Modèle de parcours",
    "DocumentKind": "Document à produire",
    "Format": "Format de fichier",
    "CoordinatorAction": "Action de coordination",
    "AttachmentKind": "Type de pièce jointe",
}


class Vocabulary(StrEnum):
    """A closed list users pick from; its JSON Schema carries a French title, not the docstring."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        # "Choix : …" keeps field titles distinct: pydantic drops a field's title when it equals
        # its vocabulary's, and the Prefect UI then shows the bare field name.
        name = TITLES.get(cls.__name__, cls.__name__)
        target["title"] = f"Choix : {name[0].lower()}{name[1:]}"
        target.pop("description", None)  # docstrings are developer English
        return schema


class OrganisationKind(Vocabulary):
    siae = "siae"
    reseau = "reseau"
    financeur = "financeur"
    prestataire = "prestataire"
    porteur_dla = "porteur_dla"
    collectivite = "collectivite"
    autre = "autre"


class SiaeKind(Vocabulary):
    AI = "AI"
    ACI = "ACI"
    EI = "EI"
    ETTI = "ETTI"
    GEIQ = "GEIQ"


class DemandOrigin(Vocabulary):
    structure_unique = "structure_unique"
    collectif = "collectif"
    proposition_dla = "proposition_dla"
    injonction_institutionnelle = "injonction_institutionnelle"


class MutualisationKind(Vocabulary):
    poste_partage = "poste_partage"
    service_commun = "service_commun"
    nouvelle_entite = "nouvelle_entite"
    groupement_employeurs = "groupement_employeurs"
    fusion = "fusion"
    rapprochement = "rapprochement"
    plateforme_collaborative = "plateforme_collaborative"


class Moment(Vocabulary):
    """The five moments of an accompaniment (seed, section 4), in their order."""

    mobilisation = "mobilisation"
    diagnostic = "diagnostic"
    plan = "plan"
    mise_en_oeuvre = "mise_en_oeuvre"
    suivi = "suivi"


MOMENT_ORDER = {m: i for i, m in enumerate(Moment)}


class MemberRole(Vocabulary):
    porteur = "porteur"
    membre = "membre"
    reseau = "reseau"
    financeur = "financeur"
    prestataire = "prestataire"
    partenaire = "partenaire"


class ContactRole(Vocabulary):
    presidence = "presidence"
    direction = "direction"
    administration = "administration"
    coordination_dla = "coordination_dla"
    consultant = "consultant"
    referent = "referent"
    salarie = "salarie"
    autre = "autre"


class Body(Vocabulary):
    """Bodies whose decision validates a stage or a step."""

    conseil_administration = "conseil_administration"
    bureau = "bureau"
    assemblee_generale = "assemblee_generale"
    comite_pilotage = "comite_pilotage"
    comite_technique = "comite_technique"
    coordination_dla = "coordination_dla"
    financeur = "financeur"


class GateRule(Vocabulary):
    tous = "tous"
    quorum = "quorum"
    au_moins_un = "au_moins_un"


class Decision(Vocabulary):
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
    # Stopped before its end by the coordinator (dla case abandon); it counts as ended.
    abandonne = "abandonne"


# The statuses of a case that is over: no pass moves it, no reminder goes out for it.
ENDED = (CaseStatus.close, CaseStatus.abandonne)


class Standing(StrEnum):
    """Where a case stands after a drive: what the flow returns (the CLI prints its label)."""

    done = "termine"
    waiting = "en-attente-de-validation"
    running = "en-cours"
    not_yet = "etape-a-venir"


class StageStatus(StrEnum):
    a_venir = "a_venir"
    ouverte = "ouverte"
    en_attente_validation = "en_attente_validation"
    close = "close"


class StepStatus(StrEnum):
    a_faire = "a_faire"
    faite = "faite"
    annulee = "annulee"


class PeriodKind(Vocabulary):
    appropriation = "appropriation"
    non_intervention = "non_intervention"


class IndicatorKind(Vocabulary):
    quantitatif = "quantitatif"
    qualitatif = "qualitatif"


class DayUnit(Vocabulary):
    jours = "jours"
    jours_ouvres = "jours_ouvres"
    semaines = "semaines"
    mois = "mois"


class Rule(StrEnum):
    """One kind of reminder; its value names templates/mail/<value>.txt.j2 and .html.j2."""

    echeance_proche = "echeance_proche"
    echeance_depassee = "echeance_depassee"
    validation_attendue = "validation_attendue"
    periode_debut = "periode_debut"
    periode_fin = "periode_fin"
    suivi = "suivi"
    resume_hebdo = "resume_hebdo"


class NotificationStatus(StrEnum):
    planned = "planned"
    claimed = "claimed"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class AttachmentKind(Vocabulary):
    """What a document attached to a case is (a file people bring, not one the product renders)."""

    convention_signee = "convention_signee"
    proces_verbal = "proces_verbal"
    rapport_consultant = "rapport_consultant"
    autre = "autre"
