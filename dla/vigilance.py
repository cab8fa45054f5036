"""The seed's points of vigilance (section 4) as rules evaluated at each stage."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.enums import MOMENT_ORDER, DemandOrigin, MemberRole, Moment


class Level(StrEnum):
    bloquant = "bloquant"
    alerte = "alerte"
    information = "information"


@dataclass
class Facts:
    """What the rules read about a case (built from the database by `lifecycle`)."""

    origin: DemandOrigin
    context: dict
    strategic_goals: list[str]
    member_roles: list[MemberRole]
    period_kinds: list[str]
    indicators: list[tuple[bool, date | None]]  # (has a target, target set on)
    follow_ups: int
    implementation_start: date | None
    today: date


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    section: str
    moment: Moment  # evaluated from this moment on
    message: str
    holds: Callable[[Facts], bool]


@dataclass(frozen=True)
class Finding:
    code: str
    level: Level
    section: str
    message: str


def _ctx(f: Facts, name: str):
    return f.context.get(name)


def _shared(f: Facts, who: str) -> bool:
    return bool((f.context.get("demande_partagee") or {}).get(who))


def _governance_in_time(f: Facts) -> bool:
    agreed = _ctx(f, "gouvernance_validee_le")
    if not _ctx(f, "gouvernance") or not agreed:
        return False
    return date.fromisoformat(agreed) <= _limit(f)


def _limit(f: Facts) -> date:
    # Agreed by today, and at the latest when implementation starts.
    return min(f.today, f.implementation_start or f.today)


def _targets_in_time(f: Facts) -> bool:
    limit = _limit(f)
    return any(has and set_on is not None and set_on <= limit for has, set_on in f.indicators)


RULES: list[Rule] = [
    Rule(
        "origine-injonction",
        Level.alerte,
        "4.1",
        Moment.mobilisation,
        "Origine de la demande : décrire l'injonction institutionnelle et ce qu'en pensent les SIAE.",
        lambda f: (
            f.origin is not DemandOrigin.injonction_institutionnelle or bool(_ctx(f, "injonction"))
        ),
    ),
    Rule(
        "demande-partagee-collectif",
        Level.alerte,
        "4.1",
        Moment.mobilisation,
        "La demande n'est pas établie comme partagée par le collectif de structures.",
        lambda f: _shared(f, "collectif"),
    ),
    Rule(
        "demande-partagee-ca",
        Level.alerte,
        "4.1",
        Moment.mobilisation,
        "L'adhésion politique des conseils d'administration n'est pas établie.",
        lambda f: _shared(f, "conseils_administration"),
    ),
    Rule(
        "demande-partagee-partenaires",
        Level.alerte,
        "4.1",
        Moment.mobilisation,
        "L'adhésion des partenaires institutionnels à la démarche n'est pas établie.",
        lambda f: _shared(f, "partenaires"),
    ),
    Rule(
        "elargissement-demande-unique",
        Level.alerte,
        "4.1",
        Moment.mobilisation,
        "Demande d'une seule structure à implications collectives : l'élargir avant le diagnostic.",
        lambda f: (
            f.origin is not DemandOrigin.structure_unique
            or bool(_ctx(f, "elargissement_avant_diagnostic"))
        ),
    ),
    Rule(
        "diagnostic-demande-objectifs-enjeux",
        Level.alerte,
        "4.2",
        Moment.diagnostic,
        "Le diagnostic doit reprendre la demande initiale, les objectifs visés et les enjeux.",
        lambda f: bool(_ctx(f, "demande_initiale") and f.strategic_goals and _ctx(f, "enjeux")),
    ),
    Rule(
        "socle-strategique-valeurs",
        Level.alerte,
        "4.2",
        Moment.diagnostic,
        "Formaliser un socle stratégique, même minimal, et les valeurs partagées.",
        lambda f: bool(_ctx(f, "socle_strategique") and _ctx(f, "valeurs")),
    ),
    Rule(
        "reseaux-iae",
        Level.information,
        "4.2",
        Moment.diagnostic,
        "Aucun réseau IAE n'est associé : les solliciter ou noter pourquoi.",
        lambda f: MemberRole.reseau in f.member_roles or bool(_ctx(f, "reseaux_motif_absence")),
    ),
    Rule(
        "points-de-blocage",
        Level.alerte,
        "4.2",
        Moment.diagnostic,
        "Nommer les points de blocage potentiels.",
        lambda f: bool(_ctx(f, "points_de_blocage")),
    ),
    Rule(
        "gouvernance-avant-intervention",
        Level.bloquant,
        "4.3",
        Moment.plan,
        "Les règles de gouvernance et de validation doivent être validées avant l'intervention.",
        _governance_in_time,
    ),
    Rule(
        "rythme-appropriation-entretiens",
        Level.alerte,
        "4.3",
        Moment.plan,
        "Prévoir des temps d'appropriation (ou de non-intervention) et des entretiens individuels.",
        lambda f: bool(f.period_kinds) and bool(_ctx(f, "entretiens_individuels")),
    ),
    Rule(
        "criteres-choix-prestataire",
        Level.alerte,
        "4.3",
        Moment.plan,
        "Consigner les critères de choix du prestataire.",
        lambda f: bool(_ctx(f, "criteres_choix_prestataire")),
    ),
    Rule(
        "cahier-des-charges-livrables",
        Level.alerte,
        "4.3",
        Moment.plan,
        "Le cahier des charges doit lister les livrables attendus (contenu, format).",
        lambda f: bool(_ctx(f, "livrables_attendus")),
    ),
    Rule(
        "indicateurs-avant-mise-en-oeuvre",
        Level.bloquant,
        "4.4",
        Moment.plan,
        "Fixer des indicateurs avec cibles avant la mise en œuvre.",
        _targets_in_time,
    ),
    Rule(
        "charte-engagements",
        Level.alerte,
        "4.4",
        Moment.mise_en_oeuvre,
        "Formaliser par écrit les engagements mutuels et les valeurs (charte).",
        lambda f: bool(_ctx(f, "charte_signee_le")),
    ),
    Rule(
        "suivis-planifies",
        Level.alerte,
        "4.5",
        Moment.mise_en_oeuvre,
        "Planifier des suivis après la mise en œuvre.",
        lambda f: f.follow_ups > 0,
    ),
    Rule(
        "partenaires-informes",
        Level.information,
        "4.5",
        Moment.suivi,
        "Tenir les partenaires informés dans la durée.",
        lambda f: bool(_ctx(f, "partenaires_informes")),
    ),
]


def evaluate(facts: Facts, moment: Moment, rules: list[Rule] = RULES) -> list[Finding]:
    """Return the findings of the rules that apply at `moment` and do not hold."""
    here = MOMENT_ORDER[moment]
    return [
        Finding(r.code, r.level, r.section, r.message)
        for r in rules
        if MOMENT_ORDER[r.moment] <= here and not r.holds(facts)
    ]


def blocking(findings: list[Finding]) -> list[Finding]:
    """Return the findings that stop a gate."""
    return [f for f in findings if f.level is Level.bloquant]
