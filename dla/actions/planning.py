"""Add a task to an open stage; who may own a task."""

import re
from datetime import date

from sqlmodel import Session, col, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    shown,
    text_problem,
)
from dla.actions.deadlines import after_end, deadline_problems
from dla.actions.tasks import closed, find_stage, not_yet_open, reopened
from dla.casefile.fields import SLUG_PATTERN
from dla.clock import Clock
from dla.frenchtext import fr_date, label
from models import Case, CaseMember, Organisation, Step


def add_task(
    reference: str,
    stage: str,
    *,
    key: str,
    title: str,
    owner: str,
    due_on: date,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Add a task to an open stage, due by its end on a working day; a stage awaiting its gate
    opens again (its work is no longer all done)."""
    case = open_case(reference, session=session, revision=revision)
    row = find_stage(case, stage, session=session)
    same = session.exec(select(Step).where(Step.case_id == case.id, Step.key == key)).first()
    if same is not None and (same.stage_id, same.title, same.owner, same.due_date) == (
        row.id, (title or "").strip(), owner, due_on,
    ):  # fmt: skip
        # The same request again (a re-run flow, a second click): nothing more to do.
        return Outcome(f"Tâche « {same.title} » déjà ajoutée : inchangé", False)
    problems = [p for p in (not_yet_open(row), closed(row)) if p]
    problems += _key_problems(case, key, session=session)
    if problem := text_problem(title, field="titre", name="titre", limit=300):
        problems.append(problem)
    owners = _owners(case, session=session)
    if owner not in owners:
        problems.append(
            FieldProblem(
                "responsable",
                f"responsable inconnu : {shown(owner)} ; attendu parmi : {', '.join(owners)}",
            )
        )
    problems += deadline_problems(due_on, case, clock, field="echeance", name="échéance")
    if due_on > row.planned_end:
        problems.append(after_end(due_on, row))
    if problems:
        raise ActionRefused(problems)
    title = title.strip()
    session.add(
        Step(
            case_id=case.id,
            stage_id=row.id,
            key=key,
            title=title,
            owner=owner,
            due_date=due_on,
            deadline={"date": due_on.isoformat()},
        )
    )
    summary = f"Tâche « {title} » ajoutée à l'étape « {row.title} » (échéance le {fr_date(due_on)})"
    summary += reopened(row, session=session)  # a new task: its work is not all done
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="step.added",
        summary=summary,
        data={"stage": row.key, "step": key, "due": due_on.isoformat()},
    )
    return Outcome(summary)


def _key_problems(case: Case, key: str, *, session: Session) -> list[FieldProblem]:
    if not isinstance(key, str) or not re.match(SLUG_PATTERN, key):
        return [
            FieldProblem(
                "cle",
                f"clé invalide : {shown(key)} ; attendu : minuscules, chiffres, tirets, "
                "80 caractères au plus (ex. entretien-ca)",
            )
        ]
    taken = session.exec(select(Step).where(Step.case_id == case.id, Step.key == key)).first()
    if taken is not None:
        return [
            FieldProblem("cle", f"clé déjà prise par la tâche « {taken.title} » : {shown(key)}")
        ]
    return []


def _owners(case: Case, *, session: Session) -> list[str]:
    return [value for value, _ in owner_choices(case, session=session)]


def owner_choices(case: Case, *, session: Session) -> list[tuple[str, str]]:
    """Who may own a task, with their French label: the coordination, a role held in the
    case, or a member organisation (by its key)."""
    roles = {
        r.value for r in session.exec(select(CaseMember.role).where(CaseMember.case_id == case.id))
    }
    members = session.exec(
        select(Organisation.key, Organisation.name)
        .join(CaseMember, col(CaseMember.organisation_id) == Organisation.id)
        .where(CaseMember.case_id == case.id)
        .order_by(Organisation.key)
    ).all()
    return [
        ("coordination", "coordination DLA"),
        *((r, label(r)) for r in sorted(roles)),
        *((key, name) for key, name in members),
    ]
