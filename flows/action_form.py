"""The form of the "agir sur un cas" deployment: the action chosen, and the fields it reads."""

from pydantic import BaseModel, ConfigDict, Field

from dla.casefile.fields import SLUG_PATTERN, Day, Reference
from dla.forms import FormEmail, blank, choice, optional
from models.enums import (
    ContactRole,
    MemberRole,
    OrganisationKind,
    PeriodKind,
    SiaeKind,
    Vocabulary,
)


class CoordinatorAction(Vocabulary):
    """The actions of the form, as the UI lists them (values are what coordinators read)."""

    tache_faite = "Marquer une tâche faite"
    tache_a_faire = "Remettre une tâche à faire"
    tache_ajoutee = "Ajouter une tâche à une étape ouverte"
    echeance = "Déplacer une échéance"
    periode_ouverte = "Ouvrir une période"
    periode_terminee = "Terminer une période"
    membre = "Ajouter ou modifier une structure membre"
    contact = "Ajouter ou modifier un contact"
    role_contact = "Changer le rôle d'un contact dans le cas"
    mesure = "Enregistrer la mesure d'un indicateur"
    suivi = "Enregistrer un suivi"
    faits = "Modifier les faits du cas"
    budget = "Fixer les jours d'une tâche du prestataire"
    cloture = "Clore le cas"
    abandon = "Abandonner le cas"


# Empty, or a key of the case file: lower case, digits, - or _.
KEY_OR_EMPTY = f"^$|{SLUG_PATTERN}"


class ActionForm(BaseModel):
    """Form of the "agir sur un cas" deployment: each action reads the fields it names."""

    model_config = ConfigDict(
        title="Action sur un cas",
        json_schema_extra={
            "description": "Une action de la chargée ou du chargé de mission : tâche, "
            "échéance, période, membre, contact, indicateur, suivi, faits du cas, budget, "
            "clôture ou abandon. Seuls les champs de l'action choisie sont lus."
        },
    )

    reference: Reference = Field(
        title="Référence du cas",
        description="Majuscules, chiffres et tirets, 3 à 40 caractères (ex. DLA38-2006-01)",
    )
    action: choice(CoordinatorAction, shown=str) = Field(title="Action")
    # Tasks, deadlines, periods.
    etape: str = Field(
        default="",
        title="Étape (clé)",
        description="La clé de l'étape, en minuscules (ex. diagnostic)",
        max_length=80,
        pattern=KEY_OR_EMPTY,
    )
    tache: str = Field(
        default="",
        title="Tâche (clé)",
        description="Pour « Déplacer une échéance », vide : la fin de l'étape",
        max_length=80,
    )
    fait_le: optional(Day) = blank(
        title="Faite le (tâche, suivi)", description="Défaut : aujourd'hui"
    )
    echeance: optional(Day) = blank(
        title="Échéance",
        description="Nouvelle échéance, ou celle de la tâche ajoutée",
    )
    motif: str = Field(
        default="", title="Motif (échéance déplacée, clôture, abandon)", max_length=500
    )
    titre: str = Field(default="", title="Intitulé (tâche ajoutée)", max_length=300)
    responsable: str = Field(
        default="",
        title="Responsable (tâche ajoutée)",
        description="coordination, un rôle (prestataire, porteur…) ou la clé d'une structure",
        max_length=80,
    )
    type_periode: optional(choice(PeriodKind)) = blank(title="Type de période")
    periode: str = Field(
        default="",
        title="Clé de la période",
        description="Période à terminer ; pour une nouvelle période, facultative",
        max_length=80,
    )
    debut: optional(Day) = blank(title="Début de la période", description="Défaut : aujourd'hui")
    fin: optional(Day) = blank(
        title="Fin de la période",
        description="Prévue, pour l'ouvrir ; pour la terminer, défaut : aujourd'hui",
    )
    note: str = Field(default="", title="Note (période)", max_length=1000)
    # Members and contacts.
    organisation: str = Field(
        default="",
        title="Structure (clé)",
        description="Le membre ajouté ou modifié, ou la structure d'un contact",
        max_length=80,
    )
    role_membre: optional(choice(MemberRole)) = blank(title="Rôle de la structure dans le cas")
    nom: optional(str) = blank(
        title="Nom (structure ou contact)",
        description="Vide : inchangé ; pour une nouvelle structure, requis",
        max_length=300,
    )
    type_structure: optional(choice(OrganisationKind)) = blank(
        title="Type de structure (nouvelle structure)"
    )
    siae: optional(choice(SiaeKind)) = blank(title="Type de SIAE")
    siret: optional(str) = blank(title="SIRET", max_length=30)
    email: optional(FormEmail) = blank(title="Adresse e-mail du contact")
    role_contact: optional(choice(ContactRole)) = blank(title="Rôle du contact dans le cas")
    telephone: optional(str) = blank(title="Téléphone du contact", max_length=30)
    nouvelle_adresse: optional(FormEmail) = blank(title="Nouvelle adresse e-mail du contact")
    modifier_partage: bool = Field(
        default=False,
        title="Modifier aussi pour les autres cas",
        description="Une structure ou une personne d'autres cas : la modification vaut pour tous",
    )
    # Indicators, follow-ups, facts, budget.
    indicateur: str = Field(default="", title="Indicateur (clé)", max_length=80)
    valeur: str = Field(
        default="",
        title="Valeur mesurée",
        description="Un nombre (12 ou 12,5), ou un texte pour un indicateur qualitatif",
        max_length=1000,
    )
    unite: optional(str) = blank(title="Unité (celle de l'indicateur)", max_length=50)
    mesure_le: optional(Day) = blank(title="Mesurée le", description="Défaut : aujourd'hui")
    mois: optional(int) = blank(ge=1, le=60, title="Suivi à (mois)")
    resume: str = Field(default="", title="Résumé du suivi", max_length=4000)
    mesures: dict[str, str] = Field(
        default_factory=dict,
        title="Mesures du suivi",
        description="Clé d'indicateur → valeur mesurée ce jour-là",
        max_length=50,
    )
    faits: dict[str, str] = Field(
        default_factory=dict,
        title="Faits du cas à modifier",
        description="Champ comme dans un fichier de cas (titre, perimetre, "
        "contexte.demande_initiale…) → valeur ; une liste : un élément par ligne ; vide : effacé",
        max_length=50,
    )
    terrain: optional(float) = blank(title="Jours terrain (budget)")
    cabinet: optional(float) = blank(title="Jours cabinet (budget)")
    par: str = Field(default="interface Prefect", title="Saisi par", min_length=1, max_length=200)
    aujourdhui: optional(Day) = blank(
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel",
    )
