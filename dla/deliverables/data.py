"""Gather cases into document contexts: plain, JSON-able dicts, in a fixed number of queries."""

from collections import defaultdict, namedtuple
from datetime import date
from functools import cache

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from dla.casefile.schema import ContextIn
from dla.deliverables.departements import departement_label
from dla.frenchtext import case_status_label, label
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
from models.enums import MutualisationKind

ROLE_ORDER = ["porteur", "membre", "reseau", "partenaire", "financeur", "prestataire"]


class UnknownCase(LookupError):
    """A reference that names no case."""


def gather(references: list[str], *, session: Session) -> dict[str, dict]:
    """Return each case's document context by reference, from about ten queries in all."""
    session.flush()  # the queries below run on the connection: no autoflush of pending changes
    cases = _records(session, QUERIES["cases"], list(references))
    unknown = sorted(set(references) - {c.reference for c in cases})
    if unknown:
        raise UnknownCase("cas inconnu(s) : " + ", ".join(unknown) + " (voir « dla case list »)")
    ids = [c.id for c in cases]

    def rows(name):
        grouped = defaultdict(list)
        for row in _records(session, QUERIES[name], ids):
            grouped[row.case_id].append(row)
        return grouped

    members = rows("members")
    for rows_ in members.values():
        rows_.sort(key=lambda m: ROLE_ORDER.index(m.role.value))  # stable: names stay sorted
    org_ids = {c.dla_host_id for c in cases} | {m.id for ms in members.values() for m in ms}
    names = dict(_records(session, QUERIES["names"], list(org_ids)))
    coordinators = list({c.coordinator_id for c in cases})
    contacts = {c.id: c for c in _records(session, QUERIES["contacts"], coordinators)}
    bundle = {
        name: rows(name)
        for name in ("stages", "steps", "validations", "requirements", "periods")
        + ("indicators", "follow_ups")
    }
    return {
        c.reference: _context(c, names, contacts[c.coordinator_id], members[c.id], bundle)
        for c in cases
    }


# The columns the contexts read, not whole rows: no ORM object is needed (nothing is written
# back), and loading entities with every column (the stored case file, JSON deadline rules,
# timestamps) cost more than building the contexts. The case id comes first in each table.
CASE = (Case.id, Case.reference, Case.title, Case.departement, Case.perimeter, Case.origin,
        Case.mutualisation_kinds, Case.journey, Case.diagnostic_year, Case.started_on,
        Case.status, Case.dla_host_id, Case.coordinator_id, Case.context, Case.strategic_goals,
        Case.operational_expectations)  # fmt: skip
MEMBER = (CaseMember.case_id, CaseMember.role, Organisation.id, Organisation.key,
          Organisation.name, Organisation.kind, Organisation.siae_kind)  # fmt: skip
MEMBER_JOIN = col(Organisation.id) == CaseMember.organisation_id
CONTACT = (Contact.id, Contact.name, Contact.email)
STAGE = (Stage.case_id, Stage.id, Stage.key, Stage.title, Stage.moment, Stage.phase,
         Stage.planned_start, Stage.planned_end, Stage.status, Stage.gate_rule,
         Stage.gate_quorum)  # fmt: skip
STEP = (Step.case_id, Step.id, Step.stage_id, Step.key, Step.title, Step.owner, Step.due_date,
        Step.status, Step.done_on, Step.deliverable)  # fmt: skip
VALIDATION = (Validation.case_id, Validation.stage_id, Validation.step_id,
              Validation.organisation_id, Validation.body, Validation.decision,
              Validation.decided_on, Validation.comment, Validation.postponed_to)  # fmt: skip
REQUIREMENT = (ValidationRequirement.case_id, ValidationRequirement.stage_id,
               ValidationRequirement.step_id, ValidationRequirement.organisation_id,
               ValidationRequirement.body)  # fmt: skip
PERIOD = (Period.case_id, Period.kind, Period.start_on, Period.end_on, Period.after_step,
          Period.note)  # fmt: skip
INDICATOR = (Indicator.case_id, Indicator.key, Indicator.label, Indicator.kind, Indicator.unit,
             Indicator.target_value, Indicator.target_text, Indicator.target_set_on,
             Indicator.measured_value, Indicator.measured_text, Indicator.measured_on)  # fmt: skip
FOLLOW_UP = (FollowUp.case_id, FollowUp.months_after, FollowUp.due_date, FollowUp.done_on,
             FollowUp.notes)  # fmt: skip

KEYS = bindparam("keys", expanding=True)


def _by_case(columns: tuple, *order, join=None):
    query = select(*columns).where(col(columns[0]).in_(KEYS)).order_by(*order)
    return query.join(*join) if join else query


# Built once: a new statement per call would be compiled again, or at least keyed again.
QUERIES = {
    "cases": select(*CASE).where(col(Case.reference).in_(KEYS)),
    "members": _by_case(MEMBER, Organisation.name, join=(Organisation, MEMBER_JOIN)),
    "names": select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(KEYS)),
    "contacts": select(*CONTACT).where(col(Contact.id).in_(KEYS)),
    "stages": _by_case(STAGE, Stage.position),
    "steps": _by_case(STEP, Step.due_date, Step.key),
    "validations": _by_case(VALIDATION, Validation.decided_on, Validation.id),
    "requirements": _by_case(REQUIREMENT, ValidationRequirement.id),
    "periods": _by_case(PERIOD, Period.start_on),
    "indicators": _by_case(INDICATOR, Indicator.key),
    "follow_ups": _by_case(FOLLOW_UP, FollowUp.months_after),
}


def _records(session: Session, query, keys: list) -> list:
    """Run a query for some keys; return its rows as named tuples (Row attributes are slow)."""
    result = session.connection().execute(query, {"keys": keys})  # Core: no ORM loading
    record = _record_type(tuple(result.keys()))
    return [record._make(row) for row in result.tuples()]


@cache
def _record_type(fields: tuple[str, ...]) -> type:
    return namedtuple("Record", fields)


def _context(case, names: dict[int, str], coordinator, members, bundle) -> dict:
    by_key = {m.key: m.name for m in members}
    by_role = {m.role.value: m.name for m in members}
    titles = {s.key: s.title for s in bundle["steps"][case.id]}
    return {
        "_id": case.id,  # read by no template, so never hashed
        "cas": {
            "reference": case.reference,
            "titre": case.title,
            "departement": departement_label(case.departement),
            "perimetre": case.perimeter,
            "origine": case.origin.value,
            "origine_label": label(case.origin),
            "mutualisations": [label(k, MutualisationKind) for k in case.mutualisation_kinds],
            "mutualisation_cles": list(case.mutualisation_kinds),
            "modele": case.journey,
            "annee_diagnostic": case.diagnostic_year,
            "debut": case.started_on,
        },
        # Read by the synthesis only: a status change alone makes no new case document.
        "statut": case_status_label(case.status),
        "porteur": {"nom": names[case.dla_host_id]},
        "coordination": {"nom": coordinator.name, "email": str(coordinator.email)},
        "membres": [
            {
                "nom": m.name,
                "type": m.kind.value,
                "type_label": label(m.kind),
                "siae": m.siae_kind.value if m.siae_kind else None,
                "role": m.role.value,
                "role_label": label(m.role),
            }
            for m in members
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
                    "instance": label(r.body),
                    "tache": step_keys.get(r.step_id),
                }
                for r in requirements[st.id]
            ],
            "decisions": [
                {
                    "date": v.decided_on,
                    "qui": who(v.organisation_id),
                    "instance": label(v.body),
                    "decision": label(v.decision),
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
