"""The cross-case synthesis: kinds of pooling, origins, durations, outcomes, recurring vigilance."""

from collections import Counter
from datetime import date

from dla.deliverables.charts import Chart, bar_chart
from dla.deliverables.findings import findings_of


def synthesis_context(contexts: dict[str, dict], today: date) -> dict:
    """Summarise gathered cases (already in memory: no query here)."""
    cases = [contexts[ref] for ref in sorted(contexts)]
    kinds = Counter(k for c in cases for k in c["cas"]["mutualisations"])
    origins = Counter(c["cas"]["origine_label"] for c in cases)
    recurring: dict[str, dict] = {}
    open_points: dict[str, int] = {}
    for c in cases:
        findings, _ = findings_of(c, today)
        open_points[c["cas"]["reference"]] = len(findings)
        for f in findings:
            entry = recurring.setdefault(
                f.code,
                {"message": f.message, "niveau": f.level.value, "section": f.section, "cas": []},
            )
            entry["cas"].append(c["cas"]["reference"])
    months = [c["duree"]["mois"] for c in cases if c["duree"]["mois"]]
    return {
        "synthese": {
            "departements": sorted({c["cas"]["departement"] for c in cases}),
            "cas": [
                {
                    "reference": c["cas"]["reference"],
                    "titre": c["cas"]["titre"],
                    "departement": c["cas"]["departement"],
                    "origine": c["cas"]["origine_label"],
                    "annee_diagnostic": c["cas"]["annee_diagnostic"],
                    "mutualisations": c["cas"]["mutualisations"],
                    "mois": c["duree"]["mois"],
                    "statut": c["statut"],
                    "points_ouverts": open_points[c["cas"]["reference"]],
                    "resultats": c["contexte"]["resultats"],
                    "perspectives": c["contexte"]["perspectives"],
                }
                for c in cases
            ],
            "par_mutualisation": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            "par_origine": dict(sorted(origins.items(), key=lambda kv: (-kv[1], kv[0]))),
            "duree_moyenne": round(sum(months) / len(months), 1) if months else None,
            "vigilance": sorted(
                recurring.values(), key=lambda r: (-len(r["cas"]), r["section"], r["message"])
            ),
        }
    }


def synthesis_charts(context: dict) -> dict[str, Chart]:
    """Draw the synthesis charts from its context."""
    s = context["synthese"]
    charts = [
        bar_chart(
            "mutualisations", "Formes de mutualisation (nombre de cas)", s["par_mutualisation"]
        ),
        bar_chart("origines", "Origine de la demande (nombre de cas)", s["par_origine"]),
        bar_chart(
            "durees",
            "Durée des accompagnements (mois)",
            {c["reference"]: c["mois"] for c in s["cas"] if c["mois"]},
        ),
        bar_chart(
            "vigilance",
            "Points de vigilance ouverts (nombre de cas)",
            {r["message"][:60]: len(r["cas"]) for r in s["vigilance"]},
        ),
    ]
    return {c.name: c for c in charts if c is not None}
