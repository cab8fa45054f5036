"""The synthetic portfolio: realistic cases from the shipped journeys, reminders due today."""

from collections import Counter

from sqlmodel import Session, select

from benchmarks.cases import JOURNEYS
from benchmarks.portfolio import build
from dla.casefile.loader import available_journeys
from models import Case, Period, Stage, Step
from models.enums import CaseStatus, StageStatus, StepStatus


def test_the_portfolio_holds_active_and_closed_cases_on_the_shipped_journeys(engine, portfolio):
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
    assert len(cases) == portfolio.cases + portfolio.closed
    assert {c.journey for c in cases} <= set(available_journeys()) == set(JOURNEYS)
    statuses = Counter(c.status for c in cases)
    assert statuses[CaseStatus.close] >= portfolio.closed
    assert {"57", "67"} <= {c.departement for c in cases}


def test_the_portfolio_has_gates_waiting_overdue_steps_periods_and_reminders_due(engine, portfolio):
    with Session(engine) as session:
        waiting = session.exec(
            select(Stage).where(Stage.status == StageStatus.en_attente_validation)
        ).all()
        overdue = session.exec(
            select(Step)
            .join(Stage, Stage.id == Step.stage_id)
            .where(
                Stage.status == StageStatus.ouverte,
                Step.status == StepStatus.a_faire,
                Step.due_date < portfolio.today,
            )
        ).all()
        periods = session.exec(select(Period)).all()
    assert waiting and overdue and periods
    assert portfolio.due > 0
    assert portfolio.plan_seconds is not None


def test_the_same_seed_builds_the_same_portfolio():
    first, second = build(cases=8, seed=3), build(cases=8, seed=3)
    assert first.references == second.references
    assert first.rows == second.rows
    assert build(cases=8, seed=4).references != first.references
