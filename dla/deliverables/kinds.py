"""The documents a DLA hands over: their title, the facts they read and those they require."""

from dataclasses import dataclass

FORMATS = ("html", "docx", "pdf")


@dataclass(frozen=True)
class Required:
    """A fact without which a document would be empty or misleading."""

    path: str  # dotted path in the document context, as named in error messages
    label: str  # the field as users write it in case files


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    # Top-level parts of the case context the template reads: only they are hashed.
    reads: tuple[str, ...]
    required: tuple[Required, ...] = ()

    @property
    def template(self) -> str:
        return f"documents/{self.key}.html"


_CORE = ("cas", "porteur", "coordination")

KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind(
            "note_diagnostic",
            "Note de diagnostic",
            (*_CORE, "membres", "contexte", "objectifs"),
            (Required("contexte.demande_initiale", "contexte.demande_initiale"),),
        ),
        Kind(
            "cahier_des_charges",
            "Cahier des charges de l'intervention",
            (*_CORE, "membres", "contexte", "objectifs", "attendus", "etapes"),
            (
                Required("objectifs", "objectifs_strategiques"),
                Required("attendus", "attendus_operationnels"),
            ),
        ),
        Kind(
            "plan_accompagnement",
            "Plan d'accompagnement",
            (*_CORE, "membres", "contexte", "objectifs", "etapes", "periodes", "suivis"),
            (Required("etapes", "etapes"),),
        ),
        Kind(
            "compte_rendu_validation",
            "Compte rendu de validation",
            (*_CORE, "etapes"),
            (Required("etapes.validateurs", "etapes[].validation"),),
        ),
        Kind(
            "charte_cooperation",
            "Charte de coopération",
            (*_CORE, "membres", "contexte", "objectifs"),
            (Required("contexte.valeurs", "contexte.valeurs"),),
        ),
        Kind(
            "rapport_suivi",
            "Rapport de suivi",
            (*_CORE, "contexte", "indicateurs", "suivis"),
            (Required("indicateurs", "indicateurs"),),
        ),
        Kind(
            "monographie",
            "Monographie",
            (*_CORE, "membres", "contexte", "objectifs", "attendus", "etapes", "periodes")
            + ("duree", "indicateurs"),
            (
                Required("contexte.demande_initiale", "contexte.demande_initiale"),
                Required("objectifs", "objectifs_strategiques"),
            ),
        ),
        Kind("fiche_vigilance", "Fiche de vigilance", (*_CORE, "vigilance")),
    ]
}

SYNTHESIS = Kind("synthese", "Synthèse des accompagnements", ("synthese",))


class DeliverableError(ValueError):
    """Bad input to a generation: the message is French and names what is wrong."""


class MissingFacts(DeliverableError):
    """Required facts are absent; nothing was generated."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def kind(key: str) -> Kind:
    """Return a document kind, or fail naming the known ones."""
    if key == SYNTHESIS.key:
        return SYNTHESIS
    if key not in KINDS:
        raise DeliverableError(
            f"livrable inconnu : {key!r} ; attendu parmi : {', '.join([*KINDS, SYNTHESIS.key])}"
        )
    return KINDS[key]


def check_format(fmt: str) -> str:
    """Return the format, or fail naming the known ones."""
    if fmt not in FORMATS:
        raise DeliverableError(f"format inconnu : {fmt!r} ; attendu parmi : {', '.join(FORMATS)}")
    return fmt


def missing(spec: Kind, context: dict) -> list[str]:
    """Return a French message for each required fact the context lacks."""
    return [
        f"{context['cas']['reference']} — {spec.title} : champ obligatoire manquant "
        f"« {r.label} » ; renseignez-le dans le fichier du cas puis rechargez-le."
        for r in spec.required
        if not _present(context, r.path.split("."))
    ]


def _present(value, path: list[str]) -> bool:
    if not path:
        return value not in (None, "", [], {})
    if isinstance(value, list):
        return any(_present(item, path) for item in value)
    return isinstance(value, dict) and _present(value.get(path[0]), path[1:])
