"""Re-check, for a whole batch at once, that each claimed notification is still warranted."""

from datetime import date

from sqlmodel import Session, col, select

from dla.frenchtext import case_status_label, fr_date
from dla.outbox.candidates import case_candidates, latest_only, stage_open
from dla.outbox.claim import Claimed
from dla.outbox.state import CaseState, load_states
from dla.outbox.store import from_json
from models import CaseContact, Contact
from models.enums import ENDED, StepStatus


def recheck(
    rows: list[Claimed], *, session: Session, today: date
) -> tuple[list[Claimed], list[tuple[Claimed, str]]]:
    """Split claimed rows into those still warranted and those to cancel (with the reason).

    Rows the claim found fresh (confirmed by today's planning pass, case unchanged since) are
    kept as they are: the rules, a function of the case's state and the day, would warrant them
    again. The others are rebuilt from their cases' state.
    """
    keep = [r for r in rows if r.fresh or r.rule == "resume_hebdo"]
    rest = [r for r in rows if not (r.fresh or r.rule == "resume_hebdo")]
    if not rest:
        return keep, []
    emails = sorted({r.recipient for r in rest})
    # The digest choice is made per case: the same person may want every reminder of another.
    digest_only = {
        (case_id, email): only
        for case_id, email, only in session.exec(
            select(CaseContact.case_id, Contact.email, CaseContact.digest_only)
            .join(Contact, Contact.id == CaseContact.contact_id)
            .where(
                col(Contact.email).in_(emails),
                col(CaseContact.case_id).in_(sorted({r.case_id for r in rest})),
            )
        )
    }
    live, superseded, states = rebuild(rest, session=session, today=today)
    cancel = []
    for row in rest:
        if digest_only.get((row.case_id, row.recipient)):
            cancel.append((row, "le destinataire ne reçoit plus que le résumé hebdomadaire"))
        elif row.key in superseded:
            cancel.append((row, "remplacée par un rappel plus récent"))
        elif row.key in live:
            keep.append(row)
        else:
            cancel.append((row, why_not(row, states.get(row.case_id), today)))
    return sorted(keep, key=lambda r: r.id), cancel


def rebuild(
    rows: list[Claimed], *, session: Session, today: date
) -> tuple[set[str], set[str], dict[int, CaseState]]:
    """Rebuild the claimed rows' series from their cases' state: live and superseded keys."""
    case_ids = sorted({r.case_id for r in rows})
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
    return {c.key for c in cands if c.cancelled is None}, superseded, states


def why_not(row: Claimed, state: CaseState | None, today: date) -> str:
    """Say in French why a claimed notification is no longer warranted."""
    if state is None:
        return "accompagnement introuvable"
    if state.case.status in ENDED:
        return f"accompagnement {case_status_label(state.case.status)}"
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
