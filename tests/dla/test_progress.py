"""Replays of the four seed cases along their real dates, through the shared stage driver."""

from datetime import date

import pytest
from sqlmodel import Session, func, select

from models import Case, Notification, Stage, TimelineEvent, Validation
from models.enums import StageStatus
from tests.factories import load_and_replay
from tests.test_samples import REFERENCES


def stages(engine) -> list[tuple[str, StageStatus, date | None, date | None]]:
    with Session(engine) as session:
        rows = session.exec(select(Stage).order_by(Stage.planned_start, Stage.position))
        return [
            (
                s.key,
                s.status,
                s.opened_at and s.opened_at.date(),
                s.closed_at and s.closed_at.date(),
            )
            for s in rows
        ]


def events(engine, kind: str) -> list[TimelineEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(TimelineEvent).where(TimelineEvent.kind == kind).order_by(TimelineEvent.at)
            )
        )


def counts(engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(m)).one()
            for m in (TimelineEvent, Validation, Notification, Stage)
        )


def test_the_isere_case_reaches_its_double_board_validation_of_27_november_2006(
    engine, replayed_sample
):
    status = replayed_sample("isere-2006.yaml", date(2006, 12, 1))

    assert status == "etape-a-venir"
    assert ("intervention", StageStatus.close, date(2006, 6, 19), date(2006, 11, 27)) in stages(
        engine
    )
    boards = [e for e in events(engine, "validation.recorded") if e.at.date() == date(2006, 11, 27)]
    assert len(boards) == 2
    assert any(
        "ANNA (conseil d'administration) — validée le 27 novembre 2006" in e.summary for e in boards
    )
    assert any(
        "Les Ateliers du Sud Grésivaudan (conseil d'administration)" in e.summary for e in boards
    )


def test_the_isere_case_resumes_after_its_non_intervention_period(engine, replayed_sample):
    replayed_sample("isere-2006.yaml")

    assert stages(engine) == [
        ("mobilisation", StageStatus.close, date(2006, 1, 16), date(2006, 2, 27)),
        ("diagnostic", StageStatus.close, date(2006, 2, 28), date(2006, 4, 28)),
        ("plan", StageStatus.close, date(2006, 5, 2), date(2006, 6, 16)),
        ("intervention", StageStatus.close, date(2006, 6, 19), date(2006, 11, 27)),
        ("mise-en-oeuvre", StageStatus.close, date(2007, 4, 2), date(2007, 6, 29)),
        ("creation-entite", StageStatus.close, date(2007, 7, 2), date(2007, 9, 7)),
        ("suivi", StageStatus.close, date(2007, 12, 21), date(2009, 12, 15)),
    ]
    (shift,) = events(engine, "deadline.paused")
    assert "période d'appropriation « appropriation-pre-projet »" in shift.summary


def test_the_bouches_du_rhone_case_shows_its_alerts_and_stops_at_the_missing_governance(
    engine, replayed_sample
):
    status = replayed_sample("bouches-du-rhone-2005.yaml")

    assert status == "en-attente-de-validation"
    reviews = " ".join(e.summary for e in events(engine, "vigilance.reviewed"))
    assert "La demande n'est pas établie comme partagée par le collectif" in reviews
    assert "[bloquant] Les règles de gouvernance et de validation" in reviews
    (waiting,) = events(engine, "stage.awaiting")
    assert waiting.at.date() == date(2006, 6, 30)
    assert "bloquant : Les règles de gouvernance" in waiting.summary
    assert dict((k, s) for k, s, *_ in stages(engine))["intervention"] is StageStatus.a_venir


def test_the_moselle_case_runs_its_overlapping_stages_side_by_side(engine, replayed_sample):
    assert replayed_sample("moselle-2007.yaml") == "termine"

    by_key = {key: (opened, closed) for key, _, opened, closed in stages(engine)}
    assert by_key["communication-entreprises"] == (date(2007, 11, 26), date(2008, 12, 31))
    assert by_key["plan-phase2"] == (date(2008, 12, 1), date(2009, 2, 27))
    assert by_key["intervention"][0] == date(2009, 3, 2)


def test_the_cantal_case_goes_through_to_its_follow_up(engine, replayed_sample):
    assert replayed_sample("cantal-2006.yaml") == "termine"

    assert [key for key, status, *_ in stages(engine) if status is StageStatus.close] == [
        "mobilisation",
        "diagnostic",
        "plan",
        "intervention",
        "mise-en-oeuvre",
        "suivi",
    ]
    with Session(engine) as session:
        assert session.exec(select(Case.status)).one().value in ("suivi", "close")


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_replaying_a_sample_case_again_adds_nothing(engine, replayed_sample, name):
    replayed_sample(name)
    before = counts(engine)

    load_and_replay(engine, name)

    assert counts(engine) == before


def test_opening_a_stage_writes_its_imminent_reminders_to_the_outbox(engine, replayed_sample):
    replayed_sample("isere-2006.yaml", date(2006, 4, 20))

    with Session(engine) as session:
        rules = set(session.exec(select(Notification.rule)))
        dues = [n.due_at.date() for n in session.exec(select(Notification))]
    assert rules and all(day <= date(2006, 4, 21) for day in dues)
