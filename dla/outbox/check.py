"""Re-check, for a whole batch at once, that each claimed notification is still warranted."""

from datetime import date

from sqlmodel import Session, col, select

from dla.frenchtext import fr_date
from dla.outbox.candidates import case_candidates, latest_only, stage_open
from dla.outbox.claim import Claimed
from dla.outbox.state import CaseState, load_states
from dla.outbox.store import from_json
from models import Contact
from models.enums import CaseStatus, StepStatus


def recheck(
    rows: list[Claimed], *, session: Session, today: date
) -> tuple[list[Claimed], list[tuple[Claimed, str]]]:
    """Split claimed rows into those still warranted and those to cancel (with the reason)."""
    case_ids = sorted({r.case_id for r in rows if r.rule != "resume_hebdo"})
    days = [date.fromisoformat(r.payload["send_on"]) for r in rows if r.payload.get("send_on")]
    states = load_states(
        session=session, today=today, case_ids=case_ids, since=min(days, default=today)
    )
    # Only the claimed rows' series are rebuilt (all of a case's when a row lacks its target).
    targets: dict[int, set[str] | None] = {}
    for r in rows:
        target = r.payload.get("target")
        known = targets.setdefault(r.case_id, set())
        if known is not None:
            targets[r.case_id] = known | {target} if target else None
    cands = [c for s in states.values() for c in case_candidates(s, today, targets[s.case.id])]
    _, superseded = latest_only(cands, today)
    live = {c.key for c in cands if c.cancelled is None}
    emails = sorted({r.recipient for r in rows})
    digest_only = dict(
        session.exec(
            select(Contact.email, Contact.digest_only).where(col(Contact.email).in_(emails))
        ).all()
    )
    keep, cancel = [], []
    for row in rows:
        if row.rule == "resume_hebdo":
            keep.append(row)
        elif digest_only.get(row.recipient):
            cancel.append((row, "le destinataire ne reçoit plus que le résumé hebdomadaire"))
        elif row.key in superseded:
            cancel.append((row, "remplacée par un rappel plus récent"))
        elif row.key in live:
            keep.append(row)
        else:
            cancel.append((row, why_not(row, states.get(row.case_id), today)))
    return keep, cancel


def why_not(row: Claimed, state: CaseState | None, today: date) -> str:
    """Say in French why a claimed notification is no longer warranted."""
    if state is None:
        return "accompagnement introuvable"
    if state.case.status is CaseStatus.close:
        return "accompagnement clos"
    context = from_json(row.payload.get("context", {}))
    if row.rule in ("echeance_proche", "echeance_depassee"):
        step = next((s for s in state.steps if s.key == context.get("step_key")), None)
        if step is None:
            return "tâche annulée ou retirée du cas"
        if step.status is StepStatus.faite:
            return f"tâche faite le {fr_date(step.done_on)}" if step.done_on else "tâche faite"
        if step.due_date != context.get("due_on"):
            return f"échéance déplacée au {fr_date(step.due_date)}"
        if not stage_open(state.stages.get(step.stage_id), today):
            return "étape close"
        return "échéance passée"
    if row.rule == "validation_attendue":
        stage = next((s for s in state.stages.values() if s.key == context.get("stage_key")), None)
        if stage is None or not stage_open(stage, today):
            return "étape close"
        if stage.planned_end != context.get("stage_end"):
            return f"échéance de l'étape reportée au {fr_date(stage.planned_end)}"
        return "validation déjà donnée"
    if row.rule in ("periode_debut", "periode_fin"):
        return "période modifiée ou retirée"
    if row.rule == "suivi":
        return "suivi déjà fait ou retiré"
    return "plus justifiée"
