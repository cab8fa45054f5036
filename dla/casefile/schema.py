"""The case file format (French keys, as coordinators write them)."""

from datetime import date as _date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_serializer,
    model_validator,
)

from dla.casefile.fields import (
    Anchor,
    Day,
    Departement,
    Email,
    LongText,
    Phone,
    Reference,
    Siret,
    Slug,
    Text,
    TextList,
)
from dla.casefile.problems import FieldValueError
from dla.casefile.relances import Relances
from dla.inputs import comment_problem, measure_name, period_kind_problem, read_number
from models.enums import (
    Body,
    ContactRole,
    DayUnit,
    Decision,
    DemandOrigin,
    GateRule,
    IndicatorKind,
    MemberRole,
    Moment,
    MutualisationKind,
    OrganisationKind,
    PeriodKind,
    SiaeKind,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, allow_inf_nan=False)


class RelativeDeadline(Strict):
    """A date computed from an anchor: a step, a stage's start or end, or a validation."""

    model_config = ConfigDict(
        title="Échéance relative à une ancre",
        json_schema_extra={
            "description": "Une date calculée depuis une tâche, un début ou une fin d'étape, "
            "ou une validation, plus un délai."
        },
    )

    apres: Anchor = Field(
        title="Ancre", description="tache:CLE, debut:ETAPE, fin:ETAPE ou validation:ETAPE"
    )
    delai: int = Field(default=0, ge=-3650, le=3650, title="Délai (négatif : avant l'ancre)")
    unite: DayUnit = Field(default=DayUnit.jours_ouvres, title="Unité du délai")


def _period_kind(value: Any) -> Any:
    # An unknown type is refused in the words of the period action (dla/inputs.py).
    if isinstance(value, str) and (problem := period_kind_problem(value)) is not None:
        raise ValueError(problem.message)
    return value


def _comment(value: str) -> str:
    # A decision's comment is judged as `dla validate` judges it (dla/inputs.py).
    if (problem := comment_problem(value)) is not None:
        raise ValueError(problem.message)
    return value


Comment = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_comment)
]


def _deadline_tag(value: Any) -> str | None:
    # One tag per shape, so a bad deadline yields one message, not one per union branch;
    # other shapes (a list...) get the message naming both accepted forms.
    if isinstance(value, dict | RelativeDeadline):
        return "~ancre"
    if isinstance(value, str | _date | int | float):
        return "~date"
    return None


Deadline = Annotated[
    Annotated[Day, Tag("~date")] | Annotated[RelativeDeadline, Tag("~ancre")],
    Discriminator(_deadline_tag),
]


class OrganisationIn(Strict):
    model_config = ConfigDict(title="Organisation")

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
            raise FieldValueError(
                "siae", "une SIAE doit préciser son type (siae: AI, ACI, EI, ETTI ou GEIQ)"
            )
        if self.type is not OrganisationKind.siae and self.siae is not None:
            raise FieldValueError(
                "siae", "le champ siae n'a de sens que pour une organisation de type siae"
            )
        return self


class ContactIn(Strict):
    model_config = ConfigDict(title="Contact")

    email: Email = Field(title="Adresse e-mail")
    nom: Text | None = Field(default=None, title="Nom ou fonction")
    telephone: Phone | None = Field(default=None, title="Téléphone")
    role: ContactRole = Field(title="Rôle")
    organisation: Slug = Field(title="Organisation (clé)")
    resume_seul: bool = Field(default=False, title="Ne recevoir que le résumé hebdomadaire")


class MemberIn(Strict):
    model_config = ConfigDict(title="Membre du cas")

    organisation: Slug = Field(title="Organisation (clé)")
    role: MemberRole = Field(title="Rôle dans l'accompagnement")


# An organisation key, or @membres for each SIAE member (porteur and membres) of the case.
StructureRef = Annotated[str, Field(pattern=r"^(@membres|[a-z0-9][a-z0-9_-]{0,79})$")]


class ValidatorIn(Strict):
    model_config = ConfigDict(title="Validation requise")

    structure: StructureRef | None = Field(
        default=None, title="Structure (clé, ou @membres pour chaque SIAE membre)"
    )
    instance: Body = Field(title="Instance qui valide")


class GateIn(Strict):
    model_config = ConfigDict(title="Validation de l'étape")

    regle: GateRule = Field(default=GateRule.tous, title="Règle de validation")
    quorum: int | None = Field(default=None, ge=1, title="Nombre de validations requises")
    par: list[ValidatorIn] = Field(min_length=1, title="Qui valide")
    delai_grace: int = Field(
        default=10, ge=0, le=120, title="Jours ouvrés de grâce après l'échéance"
    )

    @model_validator(mode="after")
    def _quorum_with_rule(self) -> "GateIn":
        if self.regle is GateRule.quorum and self.quorum is None:
            raise FieldValueError(
                "quorum", "la règle quorum demande le champ quorum (nombre de validations)"
            )
        if self.regle is not GateRule.quorum and self.quorum is not None:
            raise FieldValueError("quorum", "le champ quorum ne sert qu'avec la règle quorum")
        return self


class DecisionIn(Strict):
    model_config = ConfigDict(title="Décision")

    structure: StructureRef | None = Field(
        default=None, title="Structure qui décide (clé, ou @membres pour chaque SIAE membre)"
    )
    instance: Body = Field(title="Instance")
    decision: Decision = Field(title="Décision")
    date: Day = Field(title="Date de la décision")
    tache: Slug | None = Field(default=None, title="Tâche validée (sinon l'étape)")
    report_au: Day | None = Field(
        default=None, title="Nouvelle échéance d'une décision reportée (postérieure à sa date)"
    )
    commentaire: Comment | None = Field(default=None, title="Commentaire")

    @model_serializer(mode="wrap")
    def _without_empty_postponement(self, handler) -> dict:
        # A file without report_au keeps the hash it had before the field existed: loading it
        # again after an upgrade stays a no-op.
        data = handler(self)
        if data.get("report_au", ...) is None:
            del data["report_au"]
        return data


class TaskIn(Strict):
    model_config = ConfigDict(title="Tâche")

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
    model_config = ConfigDict(title="Étape")

    cle: Slug = Field(title="Clé de l'étape")
    temps: Moment | None = Field(default=None, title="Temps de l'accompagnement")
    phase: int = Field(default=1, ge=1, le=9, title="Phase")
    titre: Text | None = Field(default=None, title="Intitulé")
    debut: Deadline | None = Field(
        default=None, title="Début (par défaut : fin de l'étape précédente)"
    )
    fin: Deadline | None = Field(default=None, title="Fin (par défaut : dernière échéance)")
    validation: GateIn | None = Field(default=None, title="Validation de l'étape")
    taches: list[TaskIn] = Field(default_factory=list, max_length=200, title="Tâches")
    decisions: list[DecisionIn] = Field(default_factory=list, title="Décisions déjà prises")


class PeriodIn(Strict):
    model_config = ConfigDict(title="Période")

    cle: Slug = Field(title="Clé")
    type: Annotated[PeriodKind, BeforeValidator(_period_kind)] = Field(title="Type de période")
    apres: Slug | None = Field(default=None, title="Livrable intermédiaire suivi (clé de tâche)")
    debut: Deadline = Field(title="Début")
    duree: int | None = Field(default=None, ge=1, le=365, title="Durée en jours")
    fin: Day | None = Field(default=None, title="Fin")
    note: LongText | None = Field(default=None, title="Note")

    @model_validator(mode="after")
    def _one_end(self) -> "PeriodIn":
        if self.duree is not None and self.fin is not None:
            raise FieldValueError(
                "fin", "indiquer soit duree (en jours), soit fin (une date), pas les deux"
            )
        if self.duree is None and self.fin is None:
            raise FieldValueError("duree", "indiquer duree (en jours) ou fin (une date)")
        return self


class IndicatorIn(Strict):
    model_config = ConfigDict(title="Indicateur")

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

    @model_validator(mode="before")
    @classmethod
    def _measured_number(cls, data: Any) -> Any:
        # A measured value is read as every door reads it ("12,5", "3 ETP"), refused in its words.
        if not isinstance(data, dict) or data.get("mesure") is None:
            return data
        if data.get("type") == IndicatorKind.qualitatif.value:
            return data  # refused below, in the words of the qualitative indicators
        number, problem = read_number(
            data["mesure"], field="mesure", name=measure_name(str(data.get("libelle", ""))),
            unit=data.get("unite") if isinstance(data.get("unite"), str) else None,
        )  # fmt: skip
        if problem is not None:
            raise FieldValueError("mesure", problem.message)
        return {**data, "mesure": number}

    @model_validator(mode="after")
    def _values_match_kind(self) -> "IndicatorIn":
        if self.type is IndicatorKind.qualitatif:
            for name in ("cible", "mesure"):
                if getattr(self, name) is not None:
                    raise FieldValueError(
                        name, f"un indicateur qualitatif s'exprime en {name}_texte, pas en nombre"
                    )
        return self


class SharedDemand(Strict):
    model_config = ConfigDict(title="Demande partagée")

    collectif: bool | None = Field(default=None, title="Demande partagée par le collectif")
    conseils_administration: bool | None = Field(default=None, title="Portée par les CA")
    partenaires: bool | None = Field(default=None, title="Partagée par les partenaires")


class DayBudgetIn(Strict):
    model_config = ConfigDict(title="Jours d'une prestation")

    terrain: float = Field(default=0, ge=0, le=500, title="Jours terrain (sur site)")
    cabinet: float = Field(default=0, ge=0, le=500, title="Jours cabinet")


class ContextIn(Strict):
    """Facts of the case read by the points of vigilance and the deliverables."""

    model_config = ConfigDict(
        title="Contexte",
        json_schema_extra={
            "description": "Faits du cas lus par les points de vigilance et les livrables."
        },
    )

    demande_initiale: LongText | None = Field(default=None, title="Demande initiale")
    analyse: LongText | None = Field(default=None, title="Analyse de la demande")
    enjeux: TextList = Field(default_factory=list, title="Enjeux")
    historique_cooperation: LongText | None = Field(
        default=None, title="Historique de la coopération"
    )
    injonction: LongText | None = Field(
        default=None, title="Injonction institutionnelle à l'origine"
    )
    demande_partagee: SharedDemand = Field(default_factory=SharedDemand, title="Demande partagée")
    elargissement_avant_diagnostic: bool | None = Field(
        default=None, title="Élargissement du collectif avant le diagnostic"
    )
    socle_strategique: LongText | None = Field(default=None, title="Socle stratégique commun")
    valeurs: TextList = Field(default_factory=list, title="Valeurs partagées")
    points_de_blocage: TextList = Field(default_factory=list, title="Points de blocage")
    atouts: TextList = Field(default_factory=list, title="Atouts")
    reseaux_motif_absence: LongText | None = Field(
        default=None, title="Motif d'absence des réseaux"
    )
    gouvernance: LongText | None = Field(
        default=None, title="Règles de gouvernance et de validation"
    )
    gouvernance_validee_le: Day | None = Field(default=None, title="Gouvernance validée le")
    entretiens_individuels: bool | None = Field(default=None, title="Entretiens individuels menés")
    criteres_choix_prestataire: TextList = Field(
        default_factory=list, title="Critères de choix du prestataire"
    )
    livrables_attendus: TextList = Field(default_factory=list, title="Livrables attendus")
    charte_signee_le: Day | None = Field(default=None, title="Charte signée le")
    partenaires_informes: TextList = Field(default_factory=list, title="Partenaires informés")
    resultats: LongText | None = Field(default=None, title="Résultats")
    perspectives: LongText | None = Field(default=None, title="Perspectives")
    budget_jours: dict[Slug, DayBudgetIn] = Field(
        default_factory=dict, title="Budget en jours par tâche du prestataire (annexe 5.1)"
    )


class CaseFile(Strict):
    """One accompaniment, as written in its YAML case file."""

    model_config = ConfigDict(
        extra="forbid",
        title="Fichier de cas d'accompagnement DLA",
        json_schema_extra={"description": "Un accompagnement, tel qu'écrit dans son fichier YAML."},
    )

    reference: Reference = Field(title="Référence du cas (ex. DLA38-2006-01)")
    titre: Text = Field(title="Intitulé")
    modele: Slug | None = Field(default=None, title="Modèle de parcours")
    departement: Departement = Field(title="Département")
    porteur_dla: Slug = Field(title="Organisme de portage DLA (clé)")
    coordination: Email = Field(title="E-mail du ou de la chargé·e de mission")
    perimetre: Text = Field(title="Périmètre")
    origine: DemandOrigin = Field(title="Origine de la demande")
    mutualisations: list[MutualisationKind] = Field(min_length=1, title="Formes de mutualisation")
    annee_diagnostic: int | None = Field(
        default=None, ge=1990, le=2100, title="Année du diagnostic"
    )
    debut: Day = Field(title="Début de l'accompagnement")
    objectifs_strategiques: TextList = Field(default_factory=list, title="Objectifs stratégiques")
    attendus_operationnels: TextList = Field(default_factory=list, title="Attendus opérationnels")
    contexte: ContextIn = Field(default_factory=ContextIn, title="Contexte")
    organisations: list[OrganisationIn] = Field(min_length=1, max_length=500, title="Organisations")
    contacts: list[ContactIn] = Field(min_length=1, max_length=2000, title="Contacts")
    membres: list[MemberIn] = Field(min_length=1, max_length=500, title="Membres du cas")
    etapes: list[StageIn] = Field(default_factory=list, max_length=50, title="Étapes")
    periodes: list[PeriodIn] = Field(default_factory=list, max_length=100, title="Périodes")
    indicateurs: list[IndicatorIn] = Field(
        default_factory=list, max_length=200, title="Indicateurs"
    )
    suivis: list[Annotated[int, Field(ge=1, le=60)]] | None = Field(
        default=None, title="Suivis (mois après la fin de la mise en œuvre)"
    )
    relances: Relances | None = Field(default=None, title="Relances (réglages du cas)")


class Journey(Strict):
    """A case template: the usual stages, steps, validations and offsets of a kind of journey."""

    model_config = ConfigDict(title="Modèle de parcours")

    nom: Slug
    titre: Text
    description: LongText
    etapes: list[StageIn] = Field(min_length=1)
    suivis: list[Annotated[int, Field(ge=1, le=60)]] = Field(default_factory=lambda: [3, 6, 12])
    relances: Relances | None = Field(default=None, title="Relances (réglages du modèle)")
