"""Record a decision on a stage's gate, from any door (CLI, desk, Prefect form, link, file)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from dla.casefile.fields import control_char
from dla.clock import Clock, day_problem
from dla.db import transaction
from dla.frenchtext import fr_date, label
from dla.inputs import absent_structure, comment_problem
from dla.orgs import member_keys
from dla.refusals import ActionRefused, FieldProblem
from dla.timeline import add_event, through
from models import Case, Organisation, Stage, Validation, ValidationRequirement
from models.enums import Body, Decision

COORDINATION = "coordination DLA"  # who decides when no organisation does
# Keys typed by people: bounded and printable, checked before they reach a query (PostgreSQL
# refuses a NUL in a parameter with an error of its own).
MAX_KEYS = {"référence": 40, "étape": 80, "structure": 80}


class ValidationRefused(ActionRefused):
    """Bad input to a gate; nothing was written. Each problem names its form field: reference,
    etape, structure, date, report_au or commentaire (as the desk's decision form)."""

    header = "Décision refusée, rien n'a été enregistré"


@dataclass(frozen=True)
class DecisionInput:
    reference: str
    stage: str
    structure: str | None  # organisation key; None for the coordination
    body: Body
    decision: Decision
    decided_on: date
    comment: str | None = None
    postponed_to: date | None = None
    task: str | None = None  # a step's key, for a decision on one step (case files)


def record_validation(
    entry: DecisionInput, *, session: Session, clock: Clock, recorded_by: str, channel: str
) -> tuple[Validation, bool]:
    """Check and write one decision; return it and whether it is new (replays add nothing)."""
    if problems := _malformed(entry):
        raise ValidationRefused(problems)
    case = session.exec(select(Case).where(Case.reference == entry.reference)).first()
    if case is None:
        raise ValidationRefused([FieldProblem("reference", f"cas inconnu : {entry.reference!r}")])
    # In the journey's order: the refusal below lists them as the coordinator reads the case.
    stages = {
        s.key: s
        for s in session.exec(
            select(Stage).where(Stage.case_id == case.id).order_by(Stage.position)
        )
    }
    stage = stages.get(entry.stage)
    if stage is None:
        raise ValidationRefused(
            [
                FieldProblem(
                    "etape",
                    f"étape inconnue : {entry.stage!r} ; attendu parmi : {', '.join(stages)}",
                )
            ]
        )
    members = {key: id_ for id_, key in member_keys(case.id, session=session).items()}
    problems: list[FieldProblem] = []
    org_id = None
    if entry.structure is not None:
        org_id = members.get(entry.structure)
        if org_id is None:
            problems.append(absent_structure(entry.structure, list(members)))
    requirements = session.exec(
        select(ValidationRequirement).where(
            ValidationRequirement.stage_id == stage.id, ValidationRequirement.step_id.is_(None)
        )
    ).all()
    known = org_id is not None or entry.structure is None
    wanted = {(r.organisation_id, r.body) for r in requirements} if known else set()
    problems += [
        FieldProblem(field, message)
        for field, message in decision_problems(
            entry,
            who=org_id,
            expected=wanted,
            opened_on=opening_day(stage),
            today=clock.today(),
        )
    ]
    if problems:
        raise ValidationRefused(problems)
    existing = session.exec(
        select(Validation).where(
            Validation.stage_id == stage.id,
            Validation.step_id.is_(None),
            Validation.organisation_id == org_id,
            Validation.body == entry.body,
            Validation.decided_on == entry.decided_on,
            Validation.decision == entry.decision,
        )
    ).first()
    if existing is not None:
        return existing, False
    validation = Validation(
        case_id=case.id,
        stage_id=stage.id,
        organisation_id=org_id,
        body=entry.body,
        decision=entry.decision,
        decided_on=entry.decided_on,
        comment=entry.comment,
        postponed_to=entry.postponed_to,
        recorded_by=recorded_by,
        channel=channel,
        recorded_at=clock.now(),
    )
    session.add(validation)
    session.flush()
    names = {org_id: session.get(Organisation, org_id).name} if org_id is not None else {}
    log_decisions(session, stage, [validation], names, at=clock.now())
    return validation, True


def log_decisions(
    session: Session, stage: Stage, validations: list[Validation], names: dict[int, str], *, at
) -> None:
    """Put decisions on the case's timeline, once each (keyed `validation:<id>`).

    Who decided is the organisation's name (`names`: id → name), or the DLA coordination; the
    actor is who entered the decision (`recorded_by`), through its channel.
    """
    for v in validations:
        who = names.get(v.organisation_id, COORDINATION)
        add_event(
            session,
            case_id=stage.case_id,
            at=at,
            kind="validation.recorded",
            actor=v.recorded_by,
            summary=f"{stage.title} : {who} ({label(v.body)}) — {label(v.decision)} le "
            f"{fr_date(v.decided_on)}, saisi {through(v.channel)}"
            + (f" : {v.comment}" if v.comment else ""),
            data={"stage": stage.key, "validation_id": v.id, "channel": v.channel},
            key=f"validation:{v.id}",
        )


def opening_day(stage: Stage) -> date | None:
    """Return the day a stage opened, or None while it has not."""
    return stage.opened_at.date() if stage.opened_at is not None else None


def decision_problems(
    entry: DecisionInput,
    *,
    who: object,
    expected: Collection[tuple[object, Body]],
    opened_on: date | None,
    today: date | None,
) -> list[tuple[str, str]]:
    """Judge a decision on its gate as every door does; return (case-file field, message) pairs.

    `expected` holds the gate's validators as (structure, body) and `who` the deciding
    structure, both as ids or both as keys (empty `expected`: anyone decides). `opened_on` is
    the day the stage opened (None: not open yet); `today` the day the decision is entered
    (None: not checked here).
    """
    problems = []
    if expected and (who, entry.body) not in expected:
        target = f"l'étape {entry.stage!r}" if entry.task is None else f"la tâche {entry.task!r}"
        problems.append(
            (
                "structure",
                f"{entry.structure or 'coordination'} ({label(entry.body)}) ne fait pas partie "
                f"des validations attendues pour {target}",
            )
        )
    problems += [("date", m) for m in decision_day_problems(entry.decided_on, today)]
    if opened_on is None:
        problems.append(("date", f"l'étape {entry.stage!r} n'est pas encore ouverte"))
    elif entry.decided_on < opened_on:
        problems.append(
            (
                "date",
                f"date de décision {entry.decided_on.isoformat()} antérieure à l'ouverture de "
                f"l'étape ({fr_date(opened_on)})",
            )
        )
    if entry.decision is Decision.reportee and (
        entry.postponed_to is None or entry.postponed_to <= entry.decided_on
    ):
        problems.append(
            (
                "report_au",
                "une décision reportée demande une nouvelle date (report_au) postérieure à la "
                "décision",
            )
        )
    return problems


def record_decision(
    engine: Engine, entry: DecisionInput, *, clock: Clock, recorded_by: str, channel: str
) -> bool:
    """Check and write one decision in its own transaction; return whether it is new."""
    with transaction(engine) as session:
        return record_validation(
            entry, session=session, clock=clock, recorded_by=recorded_by, channel=channel
        )[1]


def _malformed(entry: DecisionInput) -> list[FieldProblem]:
    """Return what is wrong with the shape of the input, before any lookup."""
    problems = []
    values = (entry.reference, entry.stage, entry.structure)
    fields = ("reference", "etape", "structure")
    for (name, limit), value, field in zip(MAX_KEYS.items(), values, fields, strict=True):
        if value is not None and (
            not isinstance(value, str) or len(value) > limit or control_char(value)
        ):
            problems.append(
                FieldProblem(
                    field,
                    f"{name} invalide : {_shown(value)} ; attendu : {limit} caractères au plus, "
                    "sans retour à la ligne ni caractère de contrôle",
                )
            )
    if entry.comment is not None and (problem := comment_problem(entry.comment)):
        problems.append(problem)
    for name, day, field in (
        ("date de décision", entry.decided_on, "date"),
        ("report_au", entry.postponed_to, "report_au"),
    ):
        if day is not None and (problem := day_problem(day, name)) is not None:
            problems.append(FieldProblem(field, problem))
    return problems


def decision_day_problems(
    decided_on: date, today: date | None, name: str = "date de décision"
) -> list[str]:
    """Return what is wrong with a decision's date at any door: out of range, or after today.

    `dla validate`, the Prefect form and the case files' `decisions` all use this check;
    `today` is the day the decision is entered (the load day for a case file).
    """
    if (problem := day_problem(decided_on, name)) is not None:
        return [problem]
    if today is not None and decided_on > today:
        return [
            f"{name} dans le futur : le {fr_date(decided_on)} (nous sommes le {fr_date(today)})"
        ]
    return []


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
