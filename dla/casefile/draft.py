"""Turn a case's rows back into case-file data: what its template does not already say."""

from dataclasses import dataclass

from pydantic import ValidationError

from dla.casefile.draft_stages import as_day, by_key, deadline, plain_value, pruned, stage_entries
from dla.casefile.loader import available_journeys
from dla.casefile.schema import (
    CaseFile,
    ContextIn,
    PeriodIn,
    StageIn,
    TaskIn,
)
from models import Case, Organisation
from models.enums import MemberRole

SIAE_ROLES = (MemberRole.porteur, MemberRole.membre)
DEFAULT_FOLLOW_UPS = [3, 6, 12]


@dataclass
class Rows:
    """Every row of one case a case file describes, each list in a fixed order."""

    case: Case
    organisations: list[Organisation]
    keys: dict[int, str]  # organisation id → key, for every organisation the rows name
    coordinator: str
    members: list
    contacts: list  # (CaseContact, Contact)
    stages: list
    steps: list
    requirements: list
    validations: list
    periods: list
    indicators: list
    follow_ups: list


def draft_document(rows: Rows) -> dict:
    """Return the case file's data; dates not checked yet (see `settle.settle_dates`)."""
    case = rows.case
    journey = available_journeys().get(case.journey) if case.journey else None
    siae = [rows.keys[m.organisation_id] for m in rows.members if m.role in SIAE_ROLES]
    written = case.document or {}
    document = {
        "reference": case.reference,
        "titre": case.title,
        "modele": case.journey,
        "departement": case.departement,
        "porteur_dla": rows.keys[case.dla_host_id],
        "coordination": rows.coordinator,
        "perimetre": case.perimeter,
        "origine": plain_value(case.origin),
        "mutualisations": list(case.mutualisation_kinds),
        "annee_diagnostic": case.diagnostic_year,
        "debut": case.started_on,
        "objectifs_strategiques": list(case.strategic_goals),
        "attendus_operationnels": list(case.operational_expectations),
        "contexte": _context(case.context),
        "organisations": [_organisation(o) for o in rows.organisations],
        "contacts": [_contact(part, person, rows.keys) for part, person in rows.contacts],
        "membres": [
            {"organisation": rows.keys[m.organisation_id], "role": plain_value(m.role)}
            for m in rows.members
        ],
        "etapes": stage_entries(rows, journey, siae, by_key(written.get("etapes"))),
        "periodes": [_period(p, by_key(written.get("periodes")).get(p.key)) for p in rows.periods],
        "indicateurs": [_indicator(i) for i in rows.indicators],
        "suivis": _follow_ups(rows, journey),
        "relances": _reminders(written.get("relances"), journey),
    }
    return {k: v for k, v in document.items() if v not in (None, [], {})}


def tidy(document: dict) -> dict:
    """Return the document without the stage and task entries that say nothing of their own.

    A template's stage or task written with its key alone (nothing changed, nothing done) is
    left out, as are empty task and decision lists: the file then reads as coordinators write.
    """
    stages = []
    for stage in document.get("etapes", []):
        tasks = [_ordered(t, TaskIn) for t in stage.get("taches", []) if set(t) != {"cle"}]
        entry = {k: v for k, v in stage.items() if k not in ("taches", "decisions")}
        entry |= {"taches": tasks} if tasks else {}
        entry |= {"decisions": stage["decisions"]} if stage.get("decisions") else {}
        if set(entry) != {"cle"}:
            stages.append(_ordered(entry, StageIn))
    periods = [_ordered(p, PeriodIn) for p in document.get("periodes", [])]
    tidied = {k: v for k, v in document.items() if k not in ("etapes", "periodes")}
    tidied |= {"etapes": stages} if stages else {}
    tidied |= {"periodes": periods} if periods else {}
    return _ordered(tidied, CaseFile)


def _ordered(entry: dict, model) -> dict:
    """Return the entry's fields in the order the schema lists them."""
    return {name: entry[name] for name in model.model_fields if name in entry}


def _period(period, written: dict | None) -> dict:
    entry = {"cle": period.key, "type": plain_value(period.kind), "apres": period.after_step}
    if written and written.get("debut") is not None:
        entry["debut"] = deadline(written["debut"])
        ends = ("duree", "fin")
        entry |= {n: as_day(written[n]) for n in ends if written.get(n) is not None}
    else:
        entry |= {"debut": period.start_on, "fin": period.end_on}
    return pruned(entry | {"note": period.note})


def _indicator(i) -> dict:
    return pruned(
        {
            "cle": i.key,
            "libelle": i.label,
            "type": plain_value(i.kind),
            "unite": i.unit,
            "cible": _number(i.target_value),
            "cible_texte": i.target_text,
            "fixe_le": i.target_set_on,
            "mesure": _number(i.measured_value),
            "mesure_texte": i.measured_text,
            "mesure_le": i.measured_on,
        }
    )


def _organisation(o: Organisation) -> dict:
    return pruned(
        {
            "cle": o.key,
            "nom": o.name,
            "type": plain_value(o.kind),
            "siae": plain_value(o.siae_kind),
            "siret": o.siret,
            "departement": o.departement,
            "reseaux": list(o.networks or []),
        }
    )


def _contact(part, person, keys) -> dict:
    return pruned(
        {
            "email": person.email,
            "nom": person.name,
            "role": plain_value(part.role),
            "organisation": keys[part.organisation_id],
            "resume_seul": part.digest_only or None,
        }
    )


def _context(context: dict) -> dict:
    """The case's facts, typed as the schema reads them (dates as dates, 3.0 days as 3)."""
    try:
        typed = ContextIn.model_validate(context or {}).model_dump(exclude_none=True)
    except ValidationError:  # written before a rule the schema has now: kept as it is
        typed = context or {}
    budget = {
        task: {name: _number(days) for name, days in split.items()}
        for task, split in typed.get("budget_jours", {}).items()
    }
    return pruned(typed | ({"budget_jours": budget} if budget else {}))


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _follow_ups(rows: Rows, journey) -> list[int] | None:
    months = sorted({f.months_after for f in rows.follow_ups})
    default = journey.suivis if journey else DEFAULT_FOLLOW_UPS
    return None if months == sorted(set(default)) else months


def _reminders(written: dict | None, journey) -> dict | None:
    """The case's own reminder settings: those its template does not already give."""
    inherited = (
        journey.relances.model_dump(exclude_unset=True) if journey and journey.relances else {}
    )
    return {k: v for k, v in (written or {}).items() if inherited.get(k, ...) != v} or None
