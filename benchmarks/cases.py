"""Synthetic case files built on the shipped journeys, and their plans (cached by shape).

A case's dates depend only on its journey, its calendar (Alsace-Moselle and overseas
départements have their own holidays), its start, its number of member structures and its
periods: plans are built once per shape with the real loader (`build_plan`) and shared by
every case of that shape. Organisation keys in a plan are generic (`m1`, `m2`…, `cabinet`,
`reseau`); the portfolio maps them to each case's own organisations.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from dla.calendar import _SUBDIVISIONS
from dla.casefile.loader import CasePlan, available_journeys, build_plan

JOURNEYS = [
    "poste_partage",
    "groupement_employeurs",
    "fusion",
    "nouvelle_entite",
    "plateforme_collaborative",
]
JOURNEY_WEIGHTS = [35, 20, 15, 15, 15]
KINDS = {
    "poste_partage": ["poste_partage"],
    "groupement_employeurs": ["groupement_employeurs"],
    "fusion": ["fusion", "rapprochement"],
    "nouvelle_entite": ["nouvelle_entite"],
    "plateforme_collaborative": ["plateforme_collaborative", "service_commun"],
}
SIAE = ["AI", "ACI", "EI", "ETTI", "GEIQ"]
MAX_MEMBERS = 6  # plans name m1…m6; a case with fewer members drops the others' validations
ORIGINS = ["collectif", "proposition_dla", "structure_unique", "injonction_institutionnelle"]


@dataclass(frozen=True)
class Shape:
    """What a case's dates depend on: plans are shared by cases of the same shape."""

    journey: str
    calendar: str  # a département standing for its holiday calendar
    start: date
    period: bool  # an appropriation period after the intermediate deliverable


def calendar_of(departement: str) -> str:
    """Return a département with the same holidays (mainland ones share 75)."""
    return departement if departement in _SUBDIVISIONS else "75"


def document(
    shape: Shape,
    *,
    reference: str,
    departement: str,
    host: str,
    coordinator: str,
    rng: random.Random,
    prefix: str = "",
) -> dict:
    """Return a valid case file (as parsed YAML); member keys are `<prefix>m1`…"""
    members = [f"{prefix}m{i}" for i in range(1, MAX_MEMBERS + 1)]
    orgs = [{"cle": host, "nom": f"DLA {departement}", "type": "porteur_dla"}]
    orgs += [
        {"cle": m, "nom": f"Structure {m}", "type": "siae", "siae": rng.choice(SIAE)}
        for m in members
    ]
    orgs += [
        {"cle": "cabinet", "nom": "Cabinet conseil", "type": "prestataire"},
        {"cle": "reseau", "nom": "Réseau IAE", "type": "reseau"},
    ]
    contacts = [{"email": coordinator, "role": "coordination_dla", "organisation": host}]
    for m in members:
        for role in ("presidence", "direction"):
            contacts.append({"email": f"{role}@{m}.example.org", "role": role, "organisation": m})
    contacts += [
        {
            "email": "consultant@cabinet.example.org",
            "role": "consultant",
            "organisation": "cabinet",
        },
        {
            "email": "referent@reseau.example.org",
            "role": "referent",
            "organisation": "reseau",
            "resume_seul": True,
        },
    ]
    data = {
        "reference": reference,
        "titre": f"Mutualisation entre SIAE ({shape.journey.replace('_', ' ')})",
        "modele": shape.journey,
        "departement": departement,
        "porteur_dla": host,
        "coordination": coordinator,
        "perimetre": f"Bassin d'emploi du département {departement}",
        "origine": rng.choice(ORIGINS),
        "mutualisations": KINDS[shape.journey],
        "annee_diagnostic": shape.start.year,
        "debut": shape.start,
        "objectifs_strategiques": ["Sécuriser les parcours d'insertion", "Mutualiser une fonction"],
        "attendus_operationnels": ["Scénarios de coopération", "Convention entre structures"],
        "contexte": facts(shape, rng),
        "organisations": orgs,
        "contacts": contacts,
        "membres": [{"organisation": members[0], "role": "porteur"}]
        + [{"organisation": m, "role": "membre"} for m in members[1:]]
        + [
            {"organisation": "cabinet", "role": "prestataire"},
            {"organisation": "reseau", "role": "reseau"},
        ],
        "indicateurs": [
            {
                "cle": "postes",
                "libelle": "Postes mutualisés pourvus",
                "type": "quantitatif",
                "unite": "postes",
                "cible": rng.randint(1, 4),
            },
            {
                "cle": "salaries",
                "libelle": "Salariés en insertion",
                "type": "quantitatif",
                "unite": "salariés",
                "cible": rng.randint(20, 200),
            },
            {
                "cle": "gouvernance",
                "libelle": "Gouvernance partagée",
                "type": "qualitatif",
                "cible_texte": "Un comité de pilotage réuni chaque trimestre",
            },
        ],
    }
    if shape.period:
        data["periodes"] = [
            {
                "cle": "appropriation",
                "type": "appropriation",
                "apres": "rendu-intermediaire",
                "debut": {
                    "apres": "tache:rendu-intermediaire",
                    "delai": 1,
                    "unite": "jours_ouvres",
                },
                "duree": 15,
                "note": "Temps d'appropriation des scénarios par les conseils",
            }
        ]
    return data


def facts(shape: Shape, rng: random.Random) -> dict:
    """Return the case's context facts (what the points of vigilance and documents read)."""
    return {
        "demande_initiale": "Les structures souhaitent mutualiser une fonction support. " * 3,
        "analyse": "Le collectif existe depuis plusieurs années au sein du comité local. " * 4,
        "enjeux": ["Pérenniser les postes", "Partager les coûts", "Professionnaliser"],
        "historique_cooperation": "Habitudes de travail au sein du CTA du bassin.",
        "demande_partagee": {"collectif": True, "partenaires": rng.random() < 0.8},
        "valeurs": ["Confiance mutuelle", "Solidarité entre structures"],
        "points_de_blocage": ["Crainte de perte d'autonomie", "Répartition des coûts"],
        "atouts": ["Proximité géographique", "Soutien des financeurs"],
        "gouvernance": "Comité de pilotage réunissant les présidences et la DDETS.",
        "entretiens_individuels": True,
        "livrables_attendus": ["Note de diagnostic", "Scénarios", "Convention"],
        "resultats": "Fonction mutualisée en place ; premier bilan positif.",
    }


@cache
def plan_for(shape: Shape) -> CasePlan:
    """Build (once per shape) the plan the real loader makes of such a case."""
    rng = random.Random(0)
    data = document(
        shape,
        reference="DLA75-2000-01",
        departement=shape.calendar,
        host="dla-host",
        coordinator="coordination@dla-host.example.org",
        rng=rng,
    )
    return build_plan(data, {}, f"synthetique:{shape.journey}")


def journeys_loaded() -> list[str]:
    """Return the journeys the generator uses, checked against the shipped ones."""
    missing = set(JOURNEYS) - set(available_journeys())
    if missing:
        raise RuntimeError(f"journeys missing from dla/journeys: {sorted(missing)}")
    return JOURNEYS


def mondays(today: date, weeks_back: int, weeks_min: int = 1) -> list[date]:
    """Return the Mondays `weeks_min`…`weeks_back` weeks before `today`."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=w) for w in range(weeks_min, weeks_back + 1)]
