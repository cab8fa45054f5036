"""Write a case plan to the database: one upsert, idempotent, every change on the timeline."""

import re
from dataclasses import dataclass, field

from sqlmodel import Session, col, delete, insert, select

from dla.casefile.decisions import judge_decisions
from dla.casefile.export import export_case
from dla.casefile.loader import CasePlan, at_line
from dla.casefile.problems import CaseFileError, Problem
from dla.caserows import (
    case_fields,
    decision_rows,
    pause_events,
    requirement_rows,
    stage_row,
    step_row,
)
from dla.clock import Clock
from dla.db import insert_rows
from dla.frenchtext import fr_date
from dla.inputs import erased_email, erased_in_text
from dla.orgs import apply_shared, find_shared, save_case_contacts
from dla.privacy.forgotten import forgotten_fields
from dla.shared_changes import log_changes, refusals
from dla.timeline import add_event
from models import (
    Case,
    CaseMember,
    FollowUp,
    Indicator,
    Period,
    Stage,
    Step,
    Validation,
    ValidationRequirement,
)
from models.enums import StageStatus, StepStatus


class CaseConflict(Exception):
    """The file asks for a change the case's history forbids."""


@dataclass
class LoadOutcome:
    reference: str
    status: str  # "créé", "modifié" or "inchangé"
    changes: list[str] = field(default_factory=list)


def refuse_forgotten(plan: CasePlan, *, session: Session, known: set[str] | None = None) -> None:
    """Refuse a case file that brings back the address of a person erased at their request,
    in the words of the contact actions (dla/inputs.py): an address, or a text holding one.

    `known`: the digests kept, read once for many files (dla/privacy/forgotten.py).
    """
    if known is not None and not known:
        return  # nobody was erased: no need to read the file's texts
    document = plan.case.model_dump(mode="json", exclude_unset=True)
    paths = forgotten_fields(document, session=session, known=known)
    problems = [
        Problem(path, erased_email(_at(document, path), field="", name="adresse e-mail").message)
        if ADDRESS.fullmatch(path)
        else Problem(path, erased_in_text(path, field="").message)
        for path in paths
    ]
    if problems:
        raise CaseFileError(plan.source_path, [at_line(p, plan.lines) for p in problems])


# The fields of a case file that are a person's address (contacts' and the coordinator's).
ADDRESS = re.compile(r"contacts\[\d+\]\.email|coordination")


def _at(document: dict, path: str):
    """Return the value at a field path of the document (contacts[2].email)."""
    value = document
    for part in re.split(r"[.\[\]]+", path):
        if part:
            value = value[int(part)] if part.isdigit() else value[part]
    return value


def save_plan(
    plan: CasePlan,
    *,
    session: Session,
    clock: Clock,
    actor: str,
    reason: str,
    update_shared: bool = False,
) -> LoadOutcome:
    """Create or update the case described by `plan`; an unchanged file changes nothing.

    Unchanged: the file last loaded, or one saying exactly what the case holds (its export,
    `dla case export`). The file's decisions are judged as `dla validate` judges them
    (dla/casefile/decisions.py) before anything is written.

    A fact the file changes on an organisation or a contact another case uses is refused
    (`CaseFileError`, nothing written) unless `update_shared`; then it is logged on every case
    that uses the record.
    """
    data = plan.case
    refuse_forgotten(plan, session=session)
    case = session.exec(select(Case).where(Case.reference == data.reference)).first()
    if case is not None and (
        case.source_hash == plan.source_hash or _exported_hash(case, session) == plan.source_hash
    ):
        return LoadOutcome(data.reference, "inchangé")
    if problems := judge_decisions(plan, case, session=session):
        raise CaseFileError(plan.source_path, problems)
    now = clock.now()
    orgs, contacts, shared = find_shared(data, session=session)
    refused = [] if update_shared else refusals(shared, case.id if case else None)
    if refused:
        raise CaseFileError(plan.source_path, [at_line(p, plan.lines) for p in refused])
    apply_shared(data, orgs, contacts, session=session)
    created = case is None
    if created:
        case = Case(
            reference=data.reference, created_at=now, **_case_fields(plan, orgs, contacts, now)
        )
    else:
        for name, value in _case_fields(plan, orgs, contacts, now).items():
            setattr(case, name, value)
    session.add(case)
    # The case row is modified in this flush (source_hash, updated_at): the revision hook bumps
    # it, which covers the rows written below with bulk INSERTs the hook does not see.
    session.flush()
    log = _Log(session, case.id, now, actor, reason)
    with session.no_autoflush:  # one flush at commit, not one per query
        _save_members(plan, case.id, orgs, session, created)
        save_case_contacts(data.contacts, case.id, orgs, contacts, session=session, created=created)
        stages = _save_stages(plan, case.id, session, log, created)
        steps = _save_steps(plan, case.id, stages, orgs, session, log, created)
        _save_decisions(plan, case.id, stages, steps, orgs, session, actor, now, created)
        _save_rhythm(plan, case.id, session, created)
        _log_pauses(plan, case.id, session, now, actor)
    log.summaries += log_changes(
        shared, case.id, data.reference, session=session, at=now, actor=actor, reason=reason
    )
    if created:
        log.event("case.created", f"Accompagnement créé depuis {plan.source_path}")
    else:
        log.event("case.updated", f"Fichier de cas rechargé ({reason})")
    return LoadOutcome(data.reference, "créé" if created else "modifié", log.summaries)


def _exported_hash(case: Case, session: Session) -> str | None:
    """Return the hash of the case's export: a file saying what the case holds changes nothing."""
    return export_case(case.reference, session=session).source_hash


def _case_fields(plan: CasePlan, orgs, contacts, now) -> dict:
    return case_fields(
        plan, {k: o.id for k, o in orgs.items()}, {e: c.id for e, c in contacts.items()}, now
    )


class _Log:
    """Timeline writer bound to one case and one load."""

    def __init__(self, session, case_id, now, actor, reason):
        self.session, self.case_id, self.now, self.actor, self.reason = (
            session,
            case_id,
            now,
            actor,
            reason,
        )
        self.summaries: list[str] = []

    def event(self, kind: str, summary: str, **data) -> None:
        add_event(
            self.session,
            case_id=self.case_id,
            at=self.now,
            kind=kind,
            summary=summary,
            actor=self.actor,
            data={"motif": self.reason, **data},
        )
        self.summaries.append(summary)


def _existing(session, model, case_id, created: bool) -> list:
    """Return the case's rows of `model` (none to read for a case just created)."""
    if created:
        return []
    return list(session.exec(select(model).where(model.case_id == case_id)))


def _save_members(plan, case_id, orgs, session, created) -> None:
    wanted = {orgs[m.organisation].id: m.role for m in plan.case.membres}
    existing = {m.organisation_id: m for m in _existing(session, CaseMember, case_id, created)}
    for org_id, member in existing.items():
        if org_id not in wanted:
            session.delete(member)
    for org_id, role in wanted.items():
        member = existing.get(org_id) or CaseMember(
            case_id=case_id, organisation_id=org_id, role=role
        )
        member.role = role
        session.add(member)


def _save_stages(plan, case_id, session, log, created) -> dict[str, int]:
    """Update the existing stages, insert the new ones; return the stage ids by key."""
    existing = {s.key: s for s in _existing(session, Stage, case_id, created)}
    wanted = {p.source.cle for p in plan.stages}
    for key, stage in existing.items():
        if key not in wanted:
            if stage.status is not StageStatus.a_venir:
                raise CaseConflict(
                    f"l'étape « {key} » a déjà été ouverte : elle ne peut pas être retirée du fichier"
                )
            session.exec(
                delete(ValidationRequirement).where(ValidationRequirement.stage_id == stage.id)
            )
            session.exec(delete(Step).where(Step.stage_id == stage.id))
            session.delete(stage)
            log.event("stage.removed", f"Étape « {key} » retirée")
    stages: dict[str, int] = {}
    new: list[dict] = []
    order = sorted(plan.stages, key=lambda p: (p.start, p.position))
    for planned in plan.stages:
        src = planned.source
        earlier = order[: order.index(planned)]
        waits_for = [p.source.cle for p in earlier if p.end <= planned.start]
        gate = src.validation
        stage = existing.get(src.cle)
        if stage is None:
            new.append(stage_row(plan, planned, case_id))
            continue
        stage.moment, stage.phase, stage.position, stage.title = (
            src.temps,
            src.phase,
            planned.position,
            src.titre,
        )
        stage.gate_rule = gate.regle if gate else stage.gate_rule
        stage.gate_quorum = gate.quorum if gate else None
        stage.gate_grace_days = gate.delai_grace if gate else stage.gate_grace_days
        for attr, value, word in (
            ("planned_start", planned.start, "Début"),
            ("planned_end", planned.end, "Fin"),
        ):
            old = getattr(stage, attr)
            if old != value:
                log.event(
                    "stage.moved",
                    f"{word} de l'étape « {src.titre} » déplacé(e) du {fr_date(old)} "
                    f"au {fr_date(value)} (motif : {log.reason})",
                    stage=src.cle,
                    old=old.isoformat(),
                    new=value.isoformat(),
                )
            setattr(stage, attr, value)
        stage.waits_for = waits_for
        session.add(stage)
        stages[src.cle] = stage.id
    stages |= _insert(session, Stage, new)
    return stages


def _insert(session, model, rows: list[dict]) -> dict[str, int]:
    """Insert rows in one statement (no ORM object per row); return their ids by key."""
    ids = insert_rows(session, model, rows, returning=True)
    return {row["key"]: id_ for row, id_ in zip(rows, ids, strict=True)}


def _save_steps(plan, case_id, stages, orgs, session, log, created) -> dict[str, int]:
    """Update the existing steps, insert the new ones, rewrite the requirements; return ids."""
    existing = {s.key: s for s in _existing(session, Step, case_id, created)}
    if stages and not created:
        session.exec(
            delete(ValidationRequirement).where(
                col(ValidationRequirement.stage_id).in_(list(stages.values()))
            )
        )
    steps = {key: step.id for key, step in existing.items()}
    new: list[dict] = []
    for planned in plan.stages:
        stage_id = stages[planned.source.cle]
        for task in planned.tasks:
            step = existing.get(task.key)
            if step is None:
                new.append(step_row(task, case_id, stage_id))
                continue
            if step.due_date != task.due:
                log.event(
                    "step.moved",
                    f"Échéance de « {task.title} » déplacée du {fr_date(step.due_date)} au "
                    f"{fr_date(task.due)} (motif : {log.reason})",
                    step=task.key,
                    old=step.due_date.isoformat(),
                    new=task.due.isoformat(),
                )
            step.stage_id, step.title, step.owner, step.due_date = (
                stage_id,
                task.title,
                task.owner,
                task.due,
            )
            step.deadline, step.deliverable = task.deadline, task.deliverable
            if task.done_on and step.status is not StepStatus.faite:
                step.status, step.done_on = StepStatus.faite, task.done_on
            session.add(step)
    steps |= _insert(session, Step, new)
    _add_requirements(plan, case_id, stages, steps, orgs, session)
    planned_keys = {task.key for planned in plan.stages for task in planned.tasks}
    for key in existing.keys() - planned_keys:
        step = existing[key]
        if step.status is not StepStatus.annulee:
            step.status = StepStatus.annulee
            session.add(step)
            log.event(
                "step.cancelled", f"Tâche « {step.title} » retirée du fichier : annulée", step=key
            )
    return steps


def _add_requirements(plan, case_id, stages, steps, orgs, session) -> None:
    """Insert every requirement of the plan (stage gates and task validations) at once."""
    org_ids = {k: o.id for k, o in orgs.items()}
    if rows := requirement_rows(plan, case_id, stages, steps, org_ids):
        session.execute(insert(ValidationRequirement.__table__), rows)


def _save_decisions(plan, case_id, stages, steps, orgs, session, actor, now, created) -> None:
    existing = {
        (v.stage_id, v.step_id, v.organisation_id, v.body, v.decided_on, v.decision)
        for v in _existing(session, Validation, case_id, created)
    }
    org_ids = {k: o.id for k, o in orgs.items()}
    rows = decision_rows(
        plan, case_id, stages, steps, org_ids, actor=actor, now=now, existing=existing
    )
    if rows:
        session.execute(insert(Validation.__table__), rows)


def _log_pauses(plan, case_id, session, now, actor) -> None:
    """Log each deadline an appropriation or non-intervention period moved (once per date)."""
    for row in pause_events(plan, case_id, now, actor):
        add_event(session, **row)


def _save_rhythm(plan, case_id, session, created) -> None:
    periods = {p.key: p for p in _existing(session, Period, case_id, created)}
    for p in plan.periods:
        row = periods.pop(p.key, None) or Period(
            case_id=case_id, key=p.key, kind=p.kind, start_on=p.start, end_on=p.end
        )
        row.kind, row.start_on, row.end_on, row.after_step, row.note = (
            p.kind,
            p.start,
            p.end,
            p.after_step,
            p.note,
        )
        session.add(row)
    for row in periods.values():
        session.delete(row)
    indicators = {i.key: i for i in _existing(session, Indicator, case_id, created)}
    for i in plan.case.indicateurs:
        row = indicators.pop(i.cle, None) or Indicator(
            case_id=case_id, key=i.cle, label=i.libelle, kind=i.type
        )
        row.label, row.kind, row.unit = i.libelle, i.type, i.unite
        row.target_value, row.target_text, row.target_set_on = i.cible, i.cible_texte, i.fixe_le
        row.measured_value, row.measured_text, row.measured_on = (
            i.mesure,
            i.mesure_texte,
            i.mesure_le,
        )
        session.add(row)
    for row in indicators.values():
        session.delete(row)
    follow_ups = {f.months_after: f for f in _existing(session, FollowUp, case_id, created)}
    for months, due in plan.follow_ups:
        row = follow_ups.pop(months, None) or FollowUp(
            case_id=case_id, months_after=months, due_date=due
        )
        row.due_date = due
        session.add(row)
    for row in follow_ups.values():
        if row.done_on is None:
            session.delete(row)
