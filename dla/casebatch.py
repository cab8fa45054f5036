"""Save many case files in one transaction: new cases in bulk, the others one by one.

`save_plans` gives, file after file and in the same order, what `save_plan` (dla/cases.py)
gives, with the same rows. An unchanged file is known by its hash without a query; a new case
whose shared records (organisations, contacts) it declares as stored is gathered with others
and written a level at a time (cases, then their stages, then steps…), a few INSERTs for a
hundred files. Any other file (a case already stored, a shared fact it would change) goes
through `save_plan` itself, once the new cases gathered before it are written.
"""

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from dla.batch import collector_paused
from dla.casefile.decisions import judge_decisions
from dla.casefile.loader import CasePlan
from dla.casefile.problems import CaseFileError
from dla.caserows import (
    case_contact_rows,
    case_fields,
    decision_rows,
    event_row,
    member_rows,
    pause_events,
    requirement_rows,
    rhythm_rows,
    stage_row,
    step_row,
)
from dla.cases import LoadOutcome, refuse_forgotten, save_plan
from dla.clock import Clock
from dla.db import ids_by, insert_rows, keyed_ids
from dla.privacy.forgotten import forgotten_digests
from dla.sharedrecords import SharedRecords
from models import (
    Case,
    CaseContact,
    CaseMember,
    FollowUp,
    Indicator,
    Period,
    Stage,
    Step,
    TimelineEvent,
    Validation,
    ValidationRequirement,
)

BATCH = 100  # new cases written together
CHUNK = 1000  # keys per lookup query


def save_plans(
    plans: list[CasePlan],
    *,
    session: Session,
    clock: Clock,
    actor: str,
    reason: str,
    update_shared: bool = False,
    progress: Callable[[int], object] | None = None,
) -> list[LoadOutcome]:
    """Create or update the cases of `plans`, in order, as `save_plan` would one by one.

    `progress` is told how many files are done so far (for a progress bar).
    """
    with collector_paused():
        return _save_plans(plans, session, clock, actor, reason, update_shared, progress)


def _save_plans(plans, session, clock, actor, reason, update_shared, progress):
    known = forgotten_digests(session=session)
    hashes = _stored_hashes([p.case.reference for p in plans], session=session)
    shared = SharedRecords.read(plans, session=session)
    batch = _NewCases(session, actor, reason)
    outcomes = []
    for done, plan in enumerate(plans, 1):
        refuse_forgotten(plan, session=session, known=known)
        reference = plan.case.reference
        if hashes.get(reference, "") == plan.source_hash:
            outcomes.append(LoadOutcome(reference, "inchangé"))
        elif reference not in hashes and not shared.changed_by(plan):
            if problems := judge_decisions(plan, None, session=session):
                raise CaseFileError(plan.source_path, problems)
            shared.declare(plan)
            outcomes.append(batch.add(plan, clock.now()))
            hashes[reference] = plan.source_hash
            if len(batch.plans) >= BATCH:
                batch.write(shared)
        else:
            batch.write(shared)
            outcomes.append(
                save_plan(
                    plan,
                    session=session,
                    clock=clock,
                    actor=actor,
                    reason=reason,
                    update_shared=update_shared,
                )
            )
            hashes[reference] = plan.source_hash
            # The file may have created or changed shared records: read them again.
            session.flush()
            shared = SharedRecords.read(plans[done:], session=session)
        if progress is not None:
            progress(done)
    batch.write(shared)
    return outcomes


def _stored_hashes(references: list[str], *, session: Session) -> dict[str, str | None]:
    """Return the stored cases among `references`: their file's hash."""
    out: dict[str, str | None] = {}
    for start in range(0, len(references), CHUNK):
        out |= dict(
            session.exec(
                select(Case.reference, Case.source_hash).where(
                    col(Case.reference).in_(references[start : start + CHUNK])
                )
            ).all()
        )
    return out


# Written after a batch's cases, stages and steps, in this order.
LATER = (ValidationRequirement, Validation, Period, Indicator, FollowUp, TimelineEvent)


class _NewCases:
    """New cases gathered to be written together, a table at a time, in file order."""

    def __init__(self, session: Session, actor: str, reason: str) -> None:
        self.session, self.actor, self.reason = session, actor, reason
        self.plans: list[tuple[CasePlan, datetime]] = []

    def add(self, plan: CasePlan, now: datetime) -> LoadOutcome:
        self.plans.append((plan, now))
        summary = f"Accompagnement créé depuis {plan.source_path}"
        return LoadOutcome(plan.case.reference, "créé", [summary])

    def write(self, shared: SharedRecords) -> None:
        """Write the gathered cases (and the shared records they create), then forget them."""
        if not self.plans:
            return
        session, actor = self.session, self.actor
        shared.write_new(session)
        orgs = {k: v["id"] for k, v in shared.orgs.items() if "id" in v}
        people = {k: v["id"] for k, v in shared.contacts.items() if "id" in v}
        rows = [
            {"reference": p.case.reference, "created_at": now} | case_fields(p, orgs, people, now)
            for p, now in self.plans
        ]
        insert_rows(session, Case, rows)
        ids = ids_by(session, Case, "reference", [r["reference"] for r in rows])
        cases = [(p, now, ids[p.case.reference]) for p, now in self.plans]
        stages = self._keyed(Stage, [[stage_row(p, s, c) for s in p.stages] for p, _, c in cases])
        steps = self._keyed(
            Step,
            [
                [step_row(t, c, st[s.source.cle]) for s in p.stages for t in s.tasks]
                for (p, _, c), st in zip(cases, stages, strict=True)
            ],
        )
        tables: dict = {model: [] for model in (CaseMember, CaseContact, *LATER)}
        for (p, now, c), st, sp in zip(cases, stages, steps, strict=True):
            tables[CaseMember] += member_rows(p, c, orgs)
            tables[CaseContact] += case_contact_rows(p, c, orgs, people)
            tables[ValidationRequirement] += requirement_rows(p, c, st, sp, orgs)
            tables[Validation] += decision_rows(p, c, st, sp, orgs, actor=actor, now=now)
            periods, indicators, follow_ups = rhythm_rows(p, c)
            tables[Period] += periods
            tables[Indicator] += indicators
            tables[FollowUp] += follow_ups
            tables[TimelineEvent] += [
                *pause_events(p, c, now, actor),
                event_row(
                    c,
                    now,
                    "case.created",
                    f"Accompagnement créé depuis {p.source_path}",
                    actor,
                    {"motif": self.reason},
                ),
            ]
        for model, batch in tables.items():
            insert_rows(session, model, batch)
        self.plans = []

    def _keyed(self, model, rows_of: list[list[dict]]) -> list[dict[str, int]]:
        """Insert each case's rows; return, for each case, their ids by key."""
        insert_rows(self.session, model, [r for rows in rows_of for r in rows])
        cases = sorted({r["case_id"] for rows in rows_of for r in rows})
        ids = keyed_ids(self.session, model, cases)
        return [{r["key"]: ids[r["case_id"], r["key"]] for r in rows} for rows in rows_of]
