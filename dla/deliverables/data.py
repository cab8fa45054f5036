"""Gather cases into document contexts: plain, JSON-able dicts, in a fixed number of queries."""

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select

from dla.casefile.schema import ContextIn
from dla.deliverables.departements import departement_label
from dla.deliverables.labels import (
    BODIES,
    DECISIONS,
    KINDS,
    MUTUALISATIONS,
    ORIGINS,
    ROLE_ORDER,
    ROLES,
)
from dla.frenchtext import label
from models import (
    Case,
    CaseMember,
    Contact,
    FollowUp,
    Indicator,
    Organisation,
    Period,
    Stage,
    Step,
    Validation,
    ValidationRequirement,
)


class UnknownCase(LookupError):
    """A reference that names no case."""


def gather(references: list[str], *, session: Session) -> dict[str, dict]:
    """Return each case's document context by reference, from about ten queries in all."""
    cases = list(session.exec(select(Case).where(col(Case.reference).in_(references))))
    unknown = sorted(set(references) - {c.reference for c in cases})
    if unknown:
        raise UnknownCase("cas inconnu(s) : " + ", ".join(unknown) + " (voir « dla case list »)")
    ids = [c.id for c in cases]

    def rows(model, *order):
        grouped = defaultdict(list)
        query = select(model).where(col(model.case_id).in_(ids)).order_by(*order)
        for row in session.exec(query):
            grouped[row.case_id].append(row)
        return grouped

    members = defaultdict(list)
    for member, org in session.exec(
        select(CaseMember, Organisation)
        .join(Organisation, col(Organisation.id) == CaseMember.organisation_id)
        .where(col(CaseMember.case_id).in_(ids))
        .order_by(Organisation.name)
    ):
        members[member.case_id].append((member, org))
    for rows_ in members.values():
        rows_.sort(key=lambda mo: ROLE_ORDER.index(mo[0].role.value))  # stable: names stay sorted
    org_ids = {c.dla_host_id for c in cases} | {o.id for ms in members.values() for _, o in ms}
    orgs = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    contacts = {
        c.id: c
        for c in session.exec(
            select(Contact).where(col(Contact.id).in_([c.coordinator_id for c in cases]))
        )
    }
    bundle = {
        "stages": rows(Stage, Stage.position),
        "steps": rows(Step, Step.due_date, Step.key),
        "validations": rows(Validation, Validation.decided_on, Validation.id),
        "requirements": rows(ValidationRequirement, ValidationRequirement.id),
        "periods": rows(Period, Period.start_on),
        "indicators": rows(Indicator, Indicator.key),
        "follow_ups": rows(FollowUp, FollowUp.months_after),
    }
    return {
        c.reference: _context(c, orgs, contacts[c.coordinator_id], members[c.id], bundle)
        for c in cases
    }


def _context(case: Case, orgs, coordinator, members, bundle) -> dict:
    names = {o.id: o.name for o in orgs.values()}
    by_key = {o.key: o.name for _, o in members}
    by_role = {m.role.value: o.name for m, o in members}
    titles = {s.key: s.title for s in bundle["steps"][case.id]}
    return {
        "_id": case.id,  # read by no template, so never hashed
        "cas": {
            "reference": case.reference,
            "titre": case.title,
            "departement": departement_label(case.departement),
            "perimetre": case.perimeter,
            "origine": case.origin.value,
            "origine_label": ORIGINS[case.origin],
            "mutualisations": [MUTUALISATIONS.get(k, label(k)) for k in case.mutualisation_kinds],
            "mutualisation_cles": list(case.mutualisation_kinds),
            "modele": case.journey,
            "annee_diagnostic": case.diagnostic_year,
            "debut": case.started_on,
        },
        # Read by the synthesis only: a status change alone makes no new case document.
        "statut": label(case.status.value),
        "porteur": {"nom": orgs[case.dla_host_id].name},
        "coordination": {"nom": coordinator.name, "email": str(coordinator.email)},
        "membres": [
            {
                "nom": o.name,
                "type": o.kind.value,
                "type_label": KINDS[o.kind.value],
                "siae": o.siae_kind.value if o.siae_kind else None,
                "role": m.role.value,
                "role_label": ROLES[m.role.value],
            }
            for m, o in members
        ],
        "contexte": _facts(case.context),
        "objectifs": list(case.strategic_goals),
        "attendus": list(case.operational_expectations),
        "etapes": (stages := _stages(case, bundle, names, by_key, by_role)),
        "duree": duration(stages),
        "periodes": [
            {
                "type": p.kind.value,
                "type_label": (
                    "temps d'appropriation"
                    if p.kind.value == "appropriation"
                    else "période de non-intervention"
                ),
                "debut": p.start_on,
                "fin": p.end_on,
                "duree": (p.end_on - p.start_on).days + 1,
                "apres": titles.get(p.after_step, p.after_step),
                "note": p.note,
            }
            for p in bundle["periods"][case.id]
        ],
        "indicateurs": [
            {
                "cle": i.key,
                "libelle": i.label,
                "type": i.kind.value,
                "unite": i.unit,
                "cible": i.target_value,
                "cible_texte": i.target_text,
                "fixe_le": i.target_set_on,
                "mesure": i.measured_value,
                "mesure_texte": i.measured_text,
                "mesure_le": i.measured_on,
            }
            for i in bundle["indicators"][case.id]
        ],
        "suivis": [
            {"mois": f.months_after, "echeance": f.due_date, "fait_le": f.done_on, "notes": f.notes}
            for f in bundle["follow_ups"][case.id]
        ],
    }


def _facts(stored: dict) -> dict:
    # Every known fact is present (None or []) so templates can test it under StrictUndefined.
    facts = {
        name: ([] if field.default_factory is list else None)
        for name, field in ContextIn.model_fields.items()
    }
    facts["demande_partagee"] = dict.fromkeys(
        ("collectif", "conseils_administration", "partenaires")
    )
    facts["budget_jours"] = {}
    for name, value in stored.items():
        if isinstance(value, dict) and isinstance(facts.get(name), dict):
            facts[name] = facts[name] | value
        else:
            facts[name] = value
    return facts


def _stages(case, bundle, names, by_key, by_role) -> list[dict]:
    steps, validations = defaultdict(list), defaultdict(list)
    requirements = defaultdict(list)
    step_keys = {s.id: s.key for s in bundle["steps"][case.id]}
    for s in bundle["steps"][case.id]:
        steps[s.stage_id].append(s)
    for v in bundle["validations"][case.id]:
        validations[v.stage_id].append(v)
    for r in bundle["requirements"][case.id]:
        requirements[r.stage_id].append(r)

    def who(org_id):
        return names.get(org_id, "coordination DLA") if org_id else "coordination DLA"

    def owner(value):
        if value == "coordination":
            return "coordination DLA"
        return by_key.get(value) or by_role.get(value) or label(value)

    return [
        {
            "cle": st.key,
            "titre": st.title,
            "temps": st.moment.value,
            "temps_label": label(st.moment.value),
            "phase": st.phase,
            "debut": st.planned_start,
            "fin": st.planned_end,
            "statut": label(st.status.value),
            "ouverte": st.status.value != "a_venir",
            "regle": st.gate_rule.value,
            "quorum": st.gate_quorum,
            "validateurs": [
                {
                    "qui": who(r.organisation_id),
                    "instance": BODIES[r.body.value],
                    "tache": step_keys.get(r.step_id),
                }
                for r in requirements[st.id]
            ],
            "decisions": [
                {
                    "date": v.decided_on,
                    "qui": who(v.organisation_id),
                    "instance": BODIES[v.body.value],
                    "decision": DECISIONS[v.decision.value],
                    "favorable": v.decision.value in ("validee", "validee_avec_reserves"),
                    "commentaire": v.comment,
                    "report_au": v.postponed_to,
                    "tache": step_keys.get(v.step_id),
                }
                for v in validations[st.id]
            ],
            "taches": [
                {
                    "cle": s.key,
                    "titre": s.title,
                    "responsable": owner(s.owner),
                    "prestataire": s.owner == "prestataire",
                    "echeance": s.due_date,
                    "statut": label(s.status.value),
                    "faite_le": s.done_on,
                    "livrable": s.deliverable,
                }
                for s in steps[st.id]
                if s.status.value != "annulee"
            ],
        }
        for st in bundle["stages"][case.id]
    ]


def months_between(start: date, end: date) -> int:
    """Count calendar months from start to end, both included (Dec 2006–Apr 2007: 5)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def duration(stages: list[dict]) -> dict:
    """Span the accompaniment from its first stage to the end of implementation."""
    work = [s for s in stages if s["temps"] != "suivi"] or stages
    if not work:
        return {"debut": None, "fin": None, "mois": None, "interventions": []}
    start, end = min(s["debut"] for s in work), max(s["fin"] for s in work)
    return {
        "debut": start,
        "fin": end,
        "mois": months_between(start, end),
        "interventions": [
            {"titre": s["titre"], "phase": s["phase"], "debut": s["debut"], "fin": s["fin"]}
            for s in stages
            if s["temps"] == "mise_en_oeuvre"
        ],
    }
