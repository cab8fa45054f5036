"""Open a case from a short form (a template and a few fields), as the Prefect UI offers it."""

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dla.calendar import DEPARTEMENT_PATTERN
from dla.casefile.fields import SLUG_PATTERN, Departement, Reference, one_line
from dla.casefile.loader import available_journeys
from dla.forms import FormEmail, blank, choice, optional
from models.enums import DemandOrigin, MutualisationKind, SiaeKind, Vocabulary

# The shipped case templates, as a choice list in the form.
JourneyName = Vocabulary("JourneyName", {name: name for name in available_journeys()})

# A name or title typed in the form: one line (it may reach an e-mail header).
Line = Annotated[str, AfterValidator(one_line)]


class StructureForm(BaseModel):
    """One SIAE of the collective."""

    model_config = ConfigDict(
        title="Structure",
        extra="forbid",
        json_schema_extra={"description": "Une SIAE du collectif."},
    )

    cle: str = Field(
        pattern=SLUG_PATTERN,
        title="Clé (ex. aci-vallee)",
        description="Minuscules, chiffres, - ou _, sans espace ni accent (ex. aci-vallee)",
        max_length=80,
    )
    nom: Line = Field(min_length=2, max_length=200, title="Nom")
    siae: SiaeKind = Field(title="Type de SIAE")
    presidence: optional(FormEmail) = blank(title="E-mail de la présidence (facultatif)")
    direction: optional(FormEmail) = blank(title="E-mail de la direction (facultatif)")
    porteuse: bool = Field(default=False, title="Structure porteuse de la demande")


class NewCaseForm(BaseModel):
    """The "ouvrir un accompagnement" form: what the case template cannot guess."""

    model_config = ConfigDict(
        title="Nouvel accompagnement",
        extra="forbid",
        json_schema_extra={"description": "Ce que le modèle de parcours ne peut deviner."},
    )

    reference: Reference = Field(
        title="Référence du cas",
        description="Majuscules, chiffres et tirets, 3 à 40 caractères (ex. DLA38-2026-04)",
    )
    titre: Line = Field(min_length=3, max_length=300, title="Intitulé")
    modele: choice(JourneyName) = Field(title="Modèle de parcours")
    departement: Departement = Field(
        title="Département",
        description="01 à 95, 2A, 2B, 971 à 974 ou 976 (ex. 38)",
        # The departement's type first turns a number into text: the pattern is checked after,
        # so pydantic leaves it out of the schema; the form checks it here.
        json_schema_extra={"pattern": DEPARTEMENT_PATTERN},
    )
    debut: date = Field(title="Début de l'accompagnement")
    origine: choice(DemandOrigin) = Field(title="Origine de la demande")
    mutualisations: list[choice(MutualisationKind)] = Field(
        min_length=1, max_length=20, title="Formes de mutualisation"
    )
    perimetre: Line = Field(min_length=3, max_length=300, title="Périmètre")
    porteur_dla: Line = Field(min_length=2, max_length=200, title="Organisme de portage DLA (nom)")
    coordination: FormEmail = Field(title="E-mail du ou de la chargé·e de mission")
    structures: list[StructureForm] = Field(
        min_length=1, max_length=50, title="Structures du collectif"
    )
    modifier_donnees_partagees: bool = Field(
        default=False,
        title="Modifier les organisations et contacts d'autres cas",
        description="Si une structure ou une adresse sert déjà à un autre cas avec un autre nom "
        "ou un autre type : appliquer ce changement à tous ces cas (noté dans leur journal) "
        "au lieu de refuser l'ouverture.",
    )


def host_key(name: str) -> str:
    """Return the DLA host's key, made from its name (one key per host, not one for all)."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return f"portage-{words}"[:80].rstrip("-")


def case_from_form(form: NewCaseForm) -> dict:
    """Return the case-file document the form describes (validated later like any file)."""
    host = host_key(form.porteur_dla)
    carrier = next((s.cle for s in form.structures if s.porteuse), form.structures[0].cle)
    contacts = [{"email": str(form.coordination), "role": "coordination_dla", "organisation": host}]
    for s in form.structures:
        for role in ("presidence", "direction"):
            if email := getattr(s, role):
                contacts.append({"email": str(email), "role": role, "organisation": s.cle})
    return {
        "reference": form.reference,
        "titre": form.titre,
        "modele": form.modele.value,
        "departement": form.departement,
        "porteur_dla": host,
        "coordination": str(form.coordination),
        "perimetre": form.perimetre,
        "origine": form.origine.value,
        "mutualisations": [m.value for m in form.mutualisations],
        "debut": form.debut,
        "organisations": [
            {"cle": host, "nom": form.porteur_dla, "type": "porteur_dla"},
            *(
                {"cle": s.cle, "nom": s.nom, "type": "siae", "siae": s.siae.value}
                for s in form.structures
            ),
        ],
        "contacts": contacts,
        "membres": [
            {"organisation": s.cle, "role": "porteur" if s.cle == carrier else "membre"}
            for s in form.structures
        ],
    }
