"""The decisions waiting runs have not been given: recorded on their stage after they suspended."""

from datetime import datetime

from sqlmodel import Session, col, select

from dla.validations import DecisionInput
from models import Case, Organisation, Stage, Validation

BATCH = 500  # cases a query, however many runs wait


def decided_since(
    waiting: list[tuple[str, str, datetime]], *, session: Session
) -> dict[tuple[str, str], DecisionInput]:
    """Return, for each (case, stage) waiting since a moment, the latest stage-level decision
    recorded on it after that moment (one query a batch of cases).

    A decision entered on the desk or through a board's link while the Prefect server did not
    answer is in the database, but the run suspended at that gate was never handed it.
    """
    since = {(reference, stage): moment for reference, stage, moment in waiting}
    references = sorted({reference for reference, _ in since})
    found: dict[tuple[str, str], DecisionInput] = {}
    for start in range(0, len(references), BATCH):
        batch = references[start : start + BATCH]
        rows = session.exec(
            select(Validation, Case.reference, Stage.key, Organisation.key)
            .join(Case, col(Case.id) == Validation.case_id)
            .join(Stage, col(Stage.id) == Validation.stage_id)
            .outerjoin(Organisation, col(Organisation.id) == Validation.organisation_id)
            .where(
                col(Case.reference).in_(batch),
                col(Validation.step_id).is_(None),
                Validation.recorded_at > min(since.values()),
            )
            .order_by(col(Validation.recorded_at), col(Validation.id))
        )
        for v, reference, stage, org in rows:
            moment = since.get((reference, stage))
            if moment is not None and v.recorded_at > moment:  # the latest wins (ordered)
                found[(reference, stage)] = DecisionInput(
                    reference, stage, org, v.body, v.decision, v.decided_on, v.comment,
                    v.postponed_to,
                )  # fmt: skip
    return found
