"""The case file format (French keys, as coordinators write them)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, EmailStr, Field, Tag, model_validator

from dla.casefile.fields import (
    Anchor,
    Day,
    Departement,
    LongText,
    Reference,
    Siret,
    Slug,
    Text,
    TextList,
)
from models.enums import (
    Body,
    ContactRole,
    Decision,
    DayUnit,
    DemandOrigin,
    GateRule,
    IndicatorKind,
    Moment,
    MemberRole,
    MutualisationKind,
    OrganisationKind,
    PeriodKind,
    SiaeKind,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class RelativeDeadline(Strict):
    """A date computed from an anchor: a step, a stage's start or end, or a validation."""

    apres: Anchor = Field(title="Ancre", description="tache:CLE, debut:ETAPE, fin:ETAPE ou validation:ETAPE")
    delai: int = Field(default=0, ge=-3650, le=3650, title="Délai (négatif : avant l'ancre)")
    unite: DayUnit = Field(default=DayUnit.jours_ouvres, title="Unité du délai")


def _deadline_tag(value: Any) -> str:
    # One tag per shape, so a bad deadline yields one message, not one per union branch.
    return "~ancre" if isinstance(value, dict | RelativeDeadline) else "~date"


Deadline = Annotated[
    Annotated[Day, Tag("~date")] | Annotated[RelativeDeadline, Tag("~ancre")],
    Discriminator(_deadline_tag),
]


class OrganisationIn(Strict):
    cle: Slug = Field(title="Clé (identifiant court)")
    nom: Text = Field(title="Nom")
    type: OrganisationKind = Field(title="Type d'organisation")
    siae: SiaeKind | None = Field(default=None, title="Type de SIAE (AI, ACI, EI, ETTI, GEIQ)")
    siret: Siret | None = Field(default=None, title="SIRET")
    departement: Departement | None = Field(default=None, title="Département")
    reseaux: list[Slug] = Field(default_factory=list, title="Réseaux IAE d'appartenance")

    @model_validator(mode="after")
    def _siae_kind_matches(self) -> "OrganisationIn":
        if self.type is OrganisationKind.siae and self.siae is None:
            raise ValueError("une SIAE doit préciser son type (siae: AI, ACI, EI, ETTI ou GEIQ)")
        if self.type is not OrganisationKind.siae and self.siae is not None:
            raise ValueError("le champ siae n'a de sens que pour une organisation de type siae")
        return self


class ContactIn(Strict):
    email: EmailStr = Field(title="Adresse e-mail")
    nom: Text | None = Field(default=None, title="Nom ou fonction")
    role: ContactRole = Field(title="Rôle")
    organisation: Slug = Field(title="Organisation (clé)")
    resume_seul: bool = Field(default=False, title="Ne recevoir que le résumé hebdomadaire")


class MemberIn(Strict):
    organisation: Slug = Field(title="Organisation (clé)")
    role: MemberRole = Field(title="Rôle dans l'accompagnement")


class ValidatorIn(Strict):
    structure: Annotated[str, Field(pattern=r"^(@membres|[a-z0-9][a-z0-9_-]{0,79})$")] | None = Field(
        default=None, title="Structure (clé, ou @membres pour chaque SIAE membre)"
    )
    instance: Body = Field(title="Instance qui valide")


class GateIn(Strict):
    regle: GateRule = Field(default=GateRule.tous, title="Règle de validation")
    quorum: int | None = Field(default=None, ge=1, title="Nombre de validations requises")
    par: list[ValidatorIn] = Field(min_length=1, title="Qui valide")
    delai_grace: int = Field(default=10, ge=0, le=120, title="Jours ouvrés de grâce après l'échéance")

    @model_validator(mode="after")
    def _quorum_with_rule(self) -> "GateIn":
        if self.regle is GateRule.quorum and self.quorum is None:
            raise ValueError("la règle quorum demande le champ quorum (nombre de validations)")
        if self.regle is not GateRule.quorum and self.quorum is not None:
            raise ValueError("le champ quorum ne sert qu'avec la règle quorum")
        return self


class DecisionIn(Strict):
    structure: Slug | None = Field(default=None, title="Structure qui décide (clé)")
    instance: Body = Field(title="Instance")
    decision: Decision = Field(title="Décision")
    date: Day = Field(title="Date de la décision")
    tache: Slug | None = Field(default=None, title="Tâche validée (sinon l'étape)")
    commentaire: LongText | None = Field(default=None, title="Commentaire")


class TaskIn(Strict):
    cle: Slug = Field(title="Clé de la tâche")
    titre: Text | None = Field(default=None, title="Intitulé")
    responsable: Slug | None = Field(
        default=None, title="Responsable (coordination, un rôle comme prestataire, ou une clé)"
    )
    echeance: Deadline | None = Field(default=None, title="Échéance (date ou ancre + délai)")
    validation: list[ValidatorIn] = Field(default_factory=list, title="Validations requises")
    livrable: Slug | None = Field(default=None, title="Livrable produit")
    fait_le: Day | None = Field(default=None, title="Faite le")
    retiree: bool = Field(default=False, title="Retirer cette tâche du modèle")


class StageIn(Strict):
    cle: Slug = Field(title="Clé de l'étape")
    temps: Moment | None = Field(default=None, title="Temps de l'accompagnement")
    phase: int = Field(default=1, ge=1, le=9, title="Phase")
    titre: Text | None = Field(default=None, title="Intitulé")
    debut: Deadline | None = Field(default=None, title="Début (par défaut : fin de l'étape précédente)")
    fin: Deadline | None = Field(default=None, title="Fin (par défaut : dernière échéance)")
    validation: GateIn | None = Field(default=None, title="Validation de l'étape")
    taches: list[TaskIn] = Field(default_factory=list, max_length=200, title="Tâches")
    decisions: list[DecisionIn] = Field(default_factory=list, title="Décisions déjà prises")


class PeriodIn(Strict):
    cle: Slug = Field(title="Clé")
    type: PeriodKind = Field(title="Type de période")
    apres: Slug | None = Field(default=None, title="Livrable intermédiaire suivi (clé de tâche)")
    debut: Deadline = Field(title="Début")
    duree: int | None = Field(default=None, ge=1, le=365, title="Durée en jours")
    fin: Day | None = Field(default=None, title="Fin")
    note: LongText | None = None

    @model_validator(mode="after")
    def _one_end(self) -> "PeriodIn":
        if (self.duree is None) == (self.fin is None):
            raise ValueError("indiquer soit duree (en jours), soit fin (une date), pas les deux")
        return self


class IndicatorIn(Strict):
    cle: Slug = Field(title="Clé")
    libelle: Text = Field(title="Libellé")
    type: IndicatorKind = Field(title="Quantitatif ou qualitatif")
    unite: Text | None = Field(default=None, title="Unité")
    cible: float | None = Field(default=None, title="Cible chiffrée")
    cible_texte: LongText | None = Field(default=None, title="Cible qualitative")
    fixe_le: Day | None = Field(default=None, title="Cible fixée le")
    mesure: float | None = Field(default=None, title="Valeur mesurée")
    mesure_texte: LongText | None = Field(default=None, title="Constat qualitatif")
    mesure_le: Day | None = Field(default=None, title="Mesuré le")

    @model_validator(mode="after")
    def _values_match_kind(self) -> "IndicatorIn":
        if self.type is IndicatorKind.qualitatif and (self.cible is not None or self.mesure is not None):
            raise ValueError("un indicateur qualitatif s'exprime en cible_texte / mesure_texte")
        return self


class SharedDemand(Strict):
    collectif: bool | None = Field(default=None, title="Demande partagée par le collectif")
    conseils_administration: bool | None = Field(default=None, title="Portée par les CA")
    partenaires: bool | None = Field(default=None, title="Partagée par les partenaires")


class ContextIn(Strict):
    """Facts of the case read by the points of vigilance and the deliverables."""

    demande_initiale: LongText | None = None
    analyse: LongText | None = None
    enjeux: TextList = Field(default_factory=list)
    historique_cooperation: LongText | None = None
    injonction: LongText | None = Field(default=None, title="Injonction institutionnelle à l'origine")
    demande_partagee: SharedDemand = Field(default_factory=SharedDemand)
    elargissement_avant_diagnostic: bool | None = None
    socle_strategique: LongText | None = None
    valeurs: TextList = Field(default_factory=list)
    points_de_blocage: TextList = Field(default_factory=list)
    atouts: TextList = Field(default_factory=list)
    reseaux_motif_absence: LongText | None = None
    gouvernance: LongText | None = Field(default=None, title="Règles de gouvernance et de validation")
    gouvernance_validee_le: Day | None = None
    entretiens_individuels: bool | None = None
    criteres_choix_prestataire: TextList = Field(default_factory=list)
    livrables_attendus: TextList = Field(default_factory=list)
    charte_signee_le: Day | None = None
    partenaires_informes: TextList = Field(default_factory=list)
    resultats: LongText | None = None
    perspectives: LongText | None = None


class CaseFile(Strict):
    """One accompaniment, as written in its YAML case file."""

    model_config = ConfigDict(extra="forbid", title="Fichier de cas d'accompagnement DLA")

    reference: Reference = Field(title="Référence du cas (ex. DLA38-2006-01)")
    titre: Text = Field(title="Intitulé")
    modele: Slug | None = Field(default=None, title="Modèle de parcours")
    departement: Departement = Field(title="Département")
    porteur_dla: Slug = Field(title="Organisme de portage DLA (clé)")
    coordination: EmailStr = Field(title="E-mail du ou de la chargé·e de mission")
    perimetre: Text = Field(title="Périmètre")
    origine: DemandOrigin = Field(title="Origine de la demande")
    mutualisations: list[MutualisationKind] = Field(min_length=1, title="Formes de mutualisation")
    annee_diagnostic: int | None = Field(default=None, ge=1990, le=2100)
    debut: Day = Field(title="Début de l'accompagnement")
    objectifs_strategiques: TextList = Field(default_factory=list)
    attendus_operationnels: TextList = Field(default_factory=list)
    contexte: ContextIn = Field(default_factory=ContextIn)
    organisations: list[OrganisationIn] = Field(min_length=1, max_length=500)
    contacts: list[ContactIn] = Field(min_length=1, max_length=2000)
    membres: list[MemberIn] = Field(min_length=1, max_length=500)
    etapes: list[StageIn] = Field(default_factory=list, max_length=50)
    periodes: list[PeriodIn] = Field(default_factory=list, max_length=100)
    indicateurs: list[IndicatorIn] = Field(default_factory=list, max_length=200)
    suivis: list[Annotated[int, Field(ge=1, le=60)]] | None = Field(
        default=None, title="Suivis (mois après la fin de la mise en œuvre)"
    )


class Journey(Strict):
    """A case template: the usual stages, steps, validations and offsets of a kind of journey."""

    nom: Slug
    titre: Text
    description: LongText
    etapes: list[StageIn] = Field(min_length=1)
    suivis: list[Annotated[int, Field(ge=1, le=60)]] = Field(default_factory=lambda: [3, 6, 12])
