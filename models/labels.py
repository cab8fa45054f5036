"""The one catalogue of French labels for the vocabularies' values, read by every display."""

from enum import StrEnum

from models.enums import (
    AttachmentKind,
    Body,
    CaseStatus,
    ContactRole,
    DayUnit,
    Decision,
    DemandOrigin,
    GateRule,
    IndicatorKind,
    MemberRole,
    Moment,
    MutualisationKind,
    NotificationStatus,
    OrganisationKind,
    PeriodKind,
    Rule,
    SiaeKind,
    StageStatus,
    Standing,
    StepStatus,
)

# One label per member of each vocabulary. Where a bare code (a string) belongs to several
# vocabularies, the first one listed here names it: "suivi" is the last moment (a case's status
# and the follow-up reminder have their own words, asked for with their vocabulary), "close" a
# closed stage (a closed case is "clos").
CATALOGUE: dict[type[StrEnum], dict[str, str]] = {
    Moment: {
        Moment.mobilisation: "Mobilisation initiale",
        Moment.diagnostic: "Diagnostic",
        Moment.plan: "Plan d'accompagnement et choix du prestataire",
        Moment.mise_en_oeuvre: "Formalisation et mise en œuvre",
        Moment.suivi: "Accompagnement dans la durée",
    },
    StageStatus: {
        StageStatus.a_venir: "à venir",
        StageStatus.ouverte: "ouverte",
        StageStatus.en_attente_validation: "en attente de validation",
        StageStatus.close: "close",
    },
    StepStatus: {
        StepStatus.a_faire: "à faire",
        StepStatus.faite: "faite",
        StepStatus.annulee: "annulée",
    },
    CaseStatus: {
        CaseStatus.en_preparation: "en préparation",
        CaseStatus.en_cours: "en cours",
        CaseStatus.en_attente_validation: "en attente de validation",
        CaseStatus.suivi: "terminé (suivis à venir)",
        CaseStatus.close: "clos",
        CaseStatus.abandonne: "abandonné",
    },
    Standing: {
        Standing.done: "terminé",
        Standing.waiting: "en attente de validation",
        Standing.running: "en cours",
        Standing.not_yet: "étape à venir",
    },
    Decision: {
        Decision.validee: "validée",
        Decision.validee_avec_reserves: "validée avec réserves",
        Decision.refusee: "refusée",
        Decision.reportee: "reportée",
    },
    Body: {
        Body.conseil_administration: "conseil d'administration",
        Body.bureau: "bureau",
        Body.assemblee_generale: "assemblée générale",
        Body.comite_pilotage: "comité de pilotage",
        Body.comite_technique: "comité technique",
        Body.coordination_dla: "coordination DLA",
        Body.financeur: "financeur",
    },
    PeriodKind: {
        PeriodKind.appropriation: "période d'appropriation",
        PeriodKind.non_intervention: "période de non-intervention",
    },
    OrganisationKind: {
        OrganisationKind.siae: "SIAE",
        OrganisationKind.reseau: "réseau IAE",
        OrganisationKind.financeur: "financeur",
        OrganisationKind.prestataire: "prestataire",
        OrganisationKind.porteur_dla: "organisme de portage DLA",
        OrganisationKind.collectivite: "collectivité",
        OrganisationKind.autre: "autre",
    },
    SiaeKind: {kind: kind.value for kind in SiaeKind},  # acronyms, written as such
    MemberRole: {
        MemberRole.porteur: "structure porteuse",
        MemberRole.membre: "structure membre",
        MemberRole.reseau: "réseau IAE",
        MemberRole.financeur: "financeur",
        MemberRole.prestataire: "prestataire",
        MemberRole.partenaire: "partenaire",
    },
    ContactRole: {
        ContactRole.presidence: "présidence",
        ContactRole.direction: "direction",
        ContactRole.administration: "administration",
        ContactRole.coordination_dla: "coordination DLA",
        ContactRole.consultant: "consultant",
        ContactRole.referent: "référent",
        ContactRole.salarie: "salarié",
        ContactRole.autre: "autre",
    },
    DemandOrigin: {
        DemandOrigin.structure_unique: "Demande d'une structure",
        DemandOrigin.collectif: "Demande d'un collectif de structures",
        DemandOrigin.proposition_dla: "Proposition du DLA",
        DemandOrigin.injonction_institutionnelle: "Injonction institutionnelle",
    },
    MutualisationKind: {
        MutualisationKind.poste_partage: "poste partagé",
        MutualisationKind.service_commun: "service commun",
        MutualisationKind.nouvelle_entite: "nouvelle entité commune",
        MutualisationKind.groupement_employeurs: "groupement d'employeurs",
        MutualisationKind.fusion: "fusion",
        MutualisationKind.rapprochement: "rapprochement",
        MutualisationKind.plateforme_collaborative: "plateforme collaborative",
    },
    GateRule: {
        GateRule.tous: "tous",
        GateRule.quorum: "quorum",
        GateRule.au_moins_un: "au moins un",
    },
    IndicatorKind: {
        IndicatorKind.quantitatif: "quantitatif",
        IndicatorKind.qualitatif: "qualitatif",
    },
    DayUnit: {
        DayUnit.jours: "jours",
        DayUnit.jours_ouvres: "jours ouvrés",
        DayUnit.semaines: "semaines",
        DayUnit.mois: "mois",
    },
    Rule: {
        Rule.echeance_proche: "échéance proche",
        Rule.echeance_depassee: "échéance dépassée",
        Rule.validation_attendue: "validation attendue",
        Rule.periode_debut: "début de période",
        Rule.periode_fin: "fin de période",
        Rule.suivi: "suivi à recueillir",
        Rule.resume_hebdo: "résumé hebdomadaire",
    },
    AttachmentKind: {
        AttachmentKind.convention_signee: "convention signée",
        AttachmentKind.proces_verbal: "procès-verbal",
        AttachmentKind.rapport_consultant: "rapport du consultant",
        AttachmentKind.autre: "autre document",
    },
    NotificationStatus: {
        NotificationStatus.planned: "prévue",
        NotificationStatus.claimed: "en cours d'envoi",
        NotificationStatus.sent: "envoyée",
        NotificationStatus.failed: "en échec",
        NotificationStatus.cancelled: "annulée",
    },
}

# What a sending report says of a row beyond its stored status: held back by a period, or
# left due for a later sweep.
OUTCOMES = {"held": "suspendue", "retry": "à réessayer"}

BY_CODE: dict[str, str] = {}
for _labels in CATALOGUE.values():
    for _code, _text in _labels.items():
        BY_CODE.setdefault(str(_code), _text)


def label(value, vocabulary: type[StrEnum] | None = None) -> str:
    """Return the French label of a vocabulary's value (the value itself when none is known).

    A member is named by its own vocabulary; a bare string by `vocabulary` when given, else by
    the first vocabulary of the catalogue that has it.
    """
    code = str(value)
    if vocabulary is None and isinstance(value, StrEnum) and type(value) in CATALOGUE:
        vocabulary = type(value)
    if vocabulary is not None and code in CATALOGUE.get(vocabulary, {}):
        return CATALOGUE[vocabulary][code]
    return BY_CODE.get(code) or OUTCOMES.get(code) or code.replace("_", " ")
