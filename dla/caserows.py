"""The rows of a new case, built from its plan: the same saved alone or with many others.

Plain dicts for bulk INSERTs (no ORM object per row); ids of the rows they hang on (case,
organisations, contacts, stages, steps) come as maps from keys to ids.
"""

from datetime import datetime

from dla.casefile.loader import CasePlan
from dla.frenchtext import elide, fr_date, label
from models.enums import StepStatus

Ids = dict[str, int]


def case_fields(plan: CasePlan, org_ids: Ids, contact_ids: Ids, now: datetime) -> dict:
    """Return the case row's fields the file decides (all but its reference and creation)."""
    data = plan.case
    return {
        "title": data.titre,
        "departement": data.departement,
        "perimeter": data.perimetre,
        "origin": data.origine,
        "mutualisation_kinds": [m.value for m in data.mutualisations],
        "strategic_goals": list(data.objectifs_strategiques),
        "operational_expectations": list(data.attendus_operationnels),
        "journey": data.modele,
        "diagnostic_year": data.annee_diagnostic,
        "started_on": data.debut,
        "context": data.contexte.model_dump(mode="json", exclude_none=True),
        "dla_host_id": org_ids[data.porteur_dla],
        "coordinator_id": contact_ids[data.coordination.lower()],
        "source_path": plan.source_path,
        "document": data.model_dump(mode="json", exclude_unset=True),
        "source_hash": plan.source_hash,
        "updated_at": now,
    }


def member_rows(plan: CasePlan, case_id: int, org_ids: Ids) -> list[dict]:
    wanted = {org_ids[m.organisation]: m.role for m in plan.case.membres}
    return [
        {"case_id": case_id, "organisation_id": org_id, "role": role}
        for org_id, role in wanted.items()
    ]


def case_contact_rows(plan: CasePlan, case_id: int, org_ids: Ids, contact_ids: Ids) -> list[dict]:
    return [
        {
            "case_id": case_id,
            "contact_id": contact_ids[item.email.lower()],
            "organisation_id": org_ids[item.organisation],
            "role": item.role,
            "digest_only": item.resume_seul,
        }
        for item in plan.case.contacts
    ]


def stage_row(plan: CasePlan, planned, case_id: int) -> dict:
    """Return a new stage's row; it waits for the stages planned to end before it begins."""
    src, gate = planned.source, planned.source.validation
    order = sorted(plan.stages, key=lambda p: (p.start, p.position))
    earlier = order[: next(i for i, p in enumerate(order) if p is planned)]
    return {
        "case_id": case_id,
        "key": src.cle,
        "moment": src.temps,
        "phase": src.phase,
        "position": planned.position,
        "title": src.titre,
        "planned_start": planned.start,
        "planned_end": planned.end,
        "gate_quorum": gate.quorum if gate else None,
        "waits_for": [p.source.cle for p in earlier if p.end <= planned.start],
    } | ({"gate_rule": gate.regle, "gate_grace_days": gate.delai_grace} if gate else {})


def step_row(task, case_id: int, stage_id: int) -> dict:
    return {
        "case_id": case_id,
        "stage_id": stage_id,
        "key": task.key,
        "title": task.title,
        "owner": task.owner,
        "due_date": task.due,
        "deadline": task.deadline,
        "deliverable": task.deliverable,
    } | ({"status": StepStatus.faite, "done_on": task.done_on} if task.done_on else {})


def requirement_rows(
    plan: CasePlan, case_id: int, stage_ids: Ids, step_ids: Ids, org_ids: Ids
) -> list[dict]:
    """Return every requirement of the plan (stage gates and task validations)."""
    return [
        {
            "case_id": case_id,
            "stage_id": stage_ids[planned.source.cle],
            "step_id": step_id,
            "organisation_id": org_ids[org_key] if org_key else None,
            "body": body,
        }
        for planned in plan.stages
        for step_id, validators in [
            (None, planned.validators),
            *((step_ids[t.key], t.validators) for t in planned.tasks),
        ]
        for org_key, body in validators
    ]


def decision_rows(
    plan: CasePlan,
    case_id: int,
    stage_ids: Ids,
    step_ids: Ids,
    org_ids: Ids,
    *,
    actor: str,
    now: datetime,
    existing: set[tuple] = frozenset(),
) -> list[dict]:
    """Return the file's decisions not recorded yet (`existing`: their identities)."""
    seen, rows = set(existing), []
    for planned in plan.stages:
        stage_id = stage_ids[planned.source.cle]
        for d in planned.decisions:
            org_id = org_ids[d.structure] if d.structure else None
            step_id = step_ids[d.tache] if d.tache else None
            identity = (stage_id, step_id, org_id, d.instance, d.date, d.decision)
            if identity in seen:
                continue
            seen.add(identity)
            rows.append(
                {
                    "case_id": case_id,
                    "stage_id": stage_id,
                    "step_id": step_id,
                    "organisation_id": org_id,
                    "body": d.instance,
                    "decision": d.decision,
                    "decided_on": d.date,
                    "comment": d.commentaire,
                    "postponed_to": d.report_au,
                    "recorded_by": actor,
                    "channel": "fichier",
                    "recorded_at": now,
                }
            )
    return rows


def rhythm_rows(plan: CasePlan, case_id: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Return a new case's periods, indicators and follow-ups."""
    periods = [
        {
            "case_id": case_id,
            "key": p.key,
            "kind": p.kind,
            "start_on": p.start,
            "end_on": p.end,
            "after_step": p.after_step,
            "note": p.note,
        }
        for p in plan.periods
    ]
    indicators = [
        {
            "case_id": case_id,
            "key": i.cle,
            "label": i.libelle,
            "kind": i.type,
            "unit": i.unite,
            "target_value": i.cible,
            "target_text": i.cible_texte,
            "target_set_on": i.fixe_le,
            "measured_value": i.mesure,
            "measured_text": i.mesure_texte,
            "measured_on": i.mesure_le,
        }
        for i in plan.case.indicateurs
    ]
    follow_ups = [
        {"case_id": case_id, "months_after": months, "due_date": due}
        for months, due in plan.follow_ups
    ]
    return periods, indicators, follow_ups


def event_row(
    case_id: int, at: datetime, kind: str, summary: str, actor: str, data: dict, key=None
) -> dict:
    """Return a timeline event's row (dla/timeline.py: a long summary is cut)."""
    if len(summary) > 2000:
        summary = summary[:1997] + "..."
    return {
        "case_id": case_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "summary": summary,
        "data": data,
        "key": key,
    }


def pause_events(plan: CasePlan, case_id: int, now: datetime, actor: str) -> list[dict]:
    """Return an event for each deadline a period moved (keyed: once per anchor and date)."""
    titles = {f"tache:{t.key}": f"la tâche « {t.title} »" for s in plan.stages for t in s.tasks}
    for s in plan.stages:
        titles[f"debut:{s.source.cle}"] = f"le début de l'étape « {s.source.titre} »"
        titles[f"fin:{s.source.cle}"] = f"la fin de l'étape « {s.source.titre} »"
    kinds = {p.key: p for p in plan.periods}
    rows = []
    for shift in plan.shifts:
        why = ", ".join(
            f"{label(kinds[k].kind.value)} « {k} », du {fr_date(kinds[k].start)} "
            f"au {fr_date(kinds[k].end)}"
            for k in shift.pauses
        )
        rows.append(
            event_row(
                case_id,
                now,
                "deadline.paused",
                f"Échéance {elide(titles.get(shift.anchor, shift.anchor))} décalée du "
                f"{fr_date(shift.before)} au {fr_date(shift.after)} : horloge du cas suspendue "
                f"({why})",
                actor,
                {
                    "anchor": shift.anchor,
                    "before": shift.before.isoformat(),
                    "after": shift.after.isoformat(),
                    "periods": list(shift.pauses),
                },
                key=f"pause:{shift.anchor}:{shift.after.isoformat()}",
            )
        )
    return rows
