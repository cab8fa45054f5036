"""A structure that joins (or leaves) the case's SIAE members joins (or leaves) the decisions
its case file asks of every member (`@membres`), on the stages not closed yet."""

from pydantic import ValidationError
from sqlmodel import Session, col, select

from dla.casefile.loader import available_journeys
from dla.casefile.merge import merge_stages
from dla.casefile.schema import CaseFile
from models import Case, Stage, Step, ValidationRequirement
from models.enums import Body, MemberRole, StageStatus, StepStatus

# The roles `@membres` stands for (dla/casefile/loader.py).
SIAE_ROLES = (MemberRole.porteur, MemberRole.membre)
Asked = dict[str, set[Body]]


def asked_of_members(case: Case) -> tuple[Asked, Asked]:
    """Return the bodies each stage's gate, and each task, asks of every member."""
    try:
        data = CaseFile.model_validate(case.document)
    except ValidationError:  # a case stored before its file was kept: no `@membres` known
        return {}, {}
    journey = available_journeys().get(data.modele) if data.modele else None
    stages: Asked = {}
    tasks: Asked = {}
    for stage in merge_stages(data, journey):
        if stage.validation is not None:
            stages[stage.cle] = {
                v.instance for v in stage.validation.par if v.structure == "@membres"
            }
        for task in stage.taches:
            tasks[task.cle] = {v.instance for v in task.validation if v.structure == "@membres"}
    return stages, tasks


def _open_parts(case: Case, session: Session) -> list[tuple[Stage, list[Step]]]:
    stages = list(
        session.exec(
            select(Stage)
            .where(Stage.case_id == case.id, Stage.status != StageStatus.close)
            .order_by(Stage.position)
        )
    )
    steps: dict[int, list[Step]] = {}
    for step in session.exec(
        select(Step).where(
            col(Step.stage_id).in_([s.id for s in stages]), Step.status == StepStatus.a_faire
        )
    ):
        steps.setdefault(step.stage_id, []).append(step)
    return [(stage, steps.get(stage.id, [])) for stage in stages]


def _wanted(case: Case, session: Session) -> list[tuple[Stage, int | None, Body]]:
    """(stage, step id or None, body) of every member decision still to come."""
    stage_bodies, task_bodies = asked_of_members(case)
    wanted = []
    for stage, steps in _open_parts(case, session):
        wanted += [(stage, None, body) for body in sorted(stage_bodies.get(stage.key, ()))]
        for step in steps:
            wanted += [(stage, step.id, body) for body in sorted(task_bodies.get(step.key, ()))]
    return wanted


def _held(case: Case, org_id: int, session: Session) -> dict[tuple, ValidationRequirement]:
    return {
        (r.stage_id, r.step_id, r.body): r
        for r in session.exec(
            select(ValidationRequirement).where(
                ValidationRequirement.case_id == case.id,
                ValidationRequirement.organisation_id == org_id,
            )
        )
    }


def join_gates(case: Case, org_id: int, *, session: Session) -> list[str]:
    """Ask the structure for the member decisions to come; return the stages' titles."""
    held = _held(case, org_id, session)
    titles = []
    for stage, step_id, body in _wanted(case, session):
        if (stage.id, step_id, body) not in held:
            session.add(
                ValidationRequirement(
                    case_id=case.id,
                    stage_id=stage.id,
                    step_id=step_id,
                    organisation_id=org_id,
                    body=body,
                )
            )
            titles.append(stage.title)
    return list(dict.fromkeys(titles))


def leave_gates(case: Case, org_id: int, *, session: Session) -> list[str]:
    """Withdraw the structure from the member decisions to come; return the stages' titles."""
    held = _held(case, org_id, session)
    titles = []
    for stage, step_id, body in _wanted(case, session):
        if (row := held.get((stage.id, step_id, body))) is not None:
            session.delete(row)
            titles.append(stage.title)
    return list(dict.fromkeys(titles))
