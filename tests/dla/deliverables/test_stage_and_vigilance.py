"""Stage transitions ask for their deliverables; the batched vigilance matches the lifecycle's."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla import lifecycle
from dla.db import transaction
from dla.deliverables import DeliverableError, generate_for_stage
from dla.deliverables.data import gather
from dla.deliverables.findings import TOPICS, current_moment, findings_of
from dla.vigilance import RULES, evaluate
from models import Deliverable, Stage
from tests.dla.deliverables.conftest import CLOCK, REFERENCES

ISERE = "DLA38-2006-01"


def for_stage(engine, var_dir, stage_key, formats=("html",)):
    with transaction(engine) as session:
        return generate_for_stage(
            ISERE, stage_key, session=session, var_dir=var_dir, clock=CLOCK, formats=formats
        )


@pytest.mark.slow
def test_a_stage_generates_the_deliverables_its_steps_produce_in_every_format(samples, tmp_path):
    done = for_stage(samples, tmp_path / "var", "plan", ("html", "docx", "pdf"))

    assert sorted({d.kind for d in done}) == ["cahier_des_charges", "plan_accompagnement"]
    assert sorted({d.fmt for d in done}) == ["docx", "html", "pdf"]
    assert all(d.path.exists() and d.version == 1 for d in done)
    with Session(samples) as session:
        case = lifecycle.get_case(ISERE, session=session)
        plan = session.exec(
            select(Stage).where(Stage.case_id == case.id, Stage.key == "plan")
        ).one()
        stage_ids = set(session.exec(select(Deliverable.stage_id)))
    assert stage_ids == {plan.id}


def test_a_second_transition_pass_adds_nothing(samples, tmp_path):
    for_stage(samples, tmp_path / "var", "creation-entite")

    again = for_stage(samples, tmp_path / "var", "creation-entite")

    assert {(d.kind, d.new) for d in again} == {("compte_rendu_validation", False)}


def test_a_stage_without_deliverables_generates_nothing(samples, tmp_path):
    assert for_stage(samples, tmp_path / "var", "mobilisation") == []


def test_an_unknown_stage_is_refused(samples, tmp_path):
    with pytest.raises(DeliverableError, match="DLA38-2006-01 : étape inconnue 'nulle-part'"):
        for_stage(samples, tmp_path / "var", "nulle-part")


@pytest.mark.parametrize("today", [date(2006, 3, 15), date(2007, 5, 2), date(2012, 1, 2)])
def test_batched_vigilance_finds_what_the_lifecycle_finds(samples, today):
    with Session(samples) as session:
        contexts = gather(REFERENCES, session=session)
        for reference in REFERENCES:
            case = lifecycle.get_case(reference, session=session)
            moment = current_moment(contexts[reference]["etapes"], today)
            expected = evaluate(lifecycle.case_facts(case, session=session, today=today), moment)
            assert findings_of(contexts[reference], today) == (expected, moment)


def test_every_vigilance_rule_has_a_neutral_topic_for_the_sheet():
    assert set(TOPICS) == {rule.code for rule in RULES}
