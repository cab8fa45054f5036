"""The points of vigilance of a case as document data: every applicable rule, held or not."""

from datetime import date

from dla.frenchtext import label
from dla.vigilance import RULES, Facts, Finding, evaluate
from models.enums import MOMENT_ORDER, DemandOrigin, MemberRole, Moment

# What each rule checks, worded neutrally (the rules' messages describe the problem).
TOPICS = {
    "origine-injonction": "Origine institutionnelle de la demande décrite",
    "demande-partagee-collectif": "Demande partagée par le collectif de structures",
    "demande-partagee-ca": "Adhésion politique des conseils d'administration",
    "demande-partagee-partenaires": "Adhésion des partenaires institutionnels",
    "elargissement-demande-unique": "Élargissement d'une demande individuelle avant le diagnostic",
    "diagnostic-demande-objectifs-enjeux": "Diagnostic : demande initiale, objectifs et enjeux",
    "socle-strategique-valeurs": "Socle stratégique commun et valeurs partagées",
    "reseaux-iae": "Réseaux IAE associés (ou motif de leur absence)",
    "points-de-blocage": "Points de blocage nommés",
    "gouvernance-avant-intervention": "Gouvernance et règles de validation arrêtées avant l'intervention",
    "rythme-appropriation-entretiens": "Temps d'appropriation et entretiens individuels prévus",
    "criteres-choix-prestataire": "Critères de choix du prestataire consignés",
    "cahier-des-charges-livrables": "Livrables attendus listés au cahier des charges",
    "indicateurs-avant-mise-en-oeuvre": "Indicateurs avec cibles fixés avant la mise en œuvre",
    "charte-engagements": "Engagements mutuels et valeurs formalisés (charte)",
    "suivis-planifies": "Suivis planifiés après la mise en œuvre",
    "partenaires-informes": "Partenaires tenus informés dans la durée",
}


def current_moment(stages: list[dict], today: date) -> Moment:
    """Return the furthest moment opened, or reached by the planned dates when none is open."""
    reached = [s for s in stages if s["ouverte"]] or [s for s in stages if s["debut"] <= today]
    moments = [Moment(s["temps"]) for s in reached]
    return max(moments, key=MOMENT_ORDER.__getitem__, default=Moment.mobilisation)


def report(findings: list[Finding], moment: Moment) -> dict:
    """Describe each rule applicable at `moment` as held or not (the fiche's data)."""
    open_codes = {f.code for f in findings}
    rules = [
        {
            "code": r.code,
            "niveau": r.level.value,
            "section": r.section,
            "temps_label": label(r.moment.value),
            "intitule": TOPICS.get(r.code, r.message),
            "message": r.message,
            "respecte": r.code not in open_codes,
        }
        for r in RULES
        if MOMENT_ORDER[r.moment] <= MOMENT_ORDER[moment]
    ]
    return {
        "temps": moment.value,
        "temps_label": label(moment.value),
        "regles": rules,
        "a_traiter": len(open_codes),
        "bloquants": sum(1 for f in findings if f.level.value == "bloquant"),
        "respectes": sum(1 for r in rules if r["respecte"]),
    }


def facts_from(context: dict, today: date) -> Facts:
    """Build the rules' facts from a gathered context (no query: the synthesis reads many)."""
    implementation = [s["debut"] for s in context["etapes"] if s["temps"] == "mise_en_oeuvre"]
    return Facts(
        origin=DemandOrigin(context["cas"]["origine"]),
        context=context["contexte"],
        strategic_goals=context["objectifs"],
        member_roles=[MemberRole(m["role"]) for m in context["membres"]],
        period_kinds=[p["type"] for p in context["periodes"]],
        indicators=[
            (i["cible"] is not None or bool(i["cible_texte"]), i["fixe_le"])
            for i in context["indicateurs"]
        ],
        follow_ups=len(context["suivis"]),
        implementation_start=implementation[0] if implementation else None,
        today=today,
    )


def findings_of(context: dict, today: date) -> tuple[list[Finding], Moment]:
    """Evaluate a gathered case at its current moment."""
    moment = current_moment(context["etapes"], today)
    return evaluate(facts_from(context, today), moment), moment
