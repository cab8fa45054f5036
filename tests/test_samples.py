"""The shipped case templates and the four sample cases of the seed study load and resolve."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from dla.calendar import calendar_for
from dla.casefile.loader import CasePlan, available_journeys, load_case_file
from dla.casefile.schema import RelativeDeadline
from models.enums import Body, Decision, Moment, PeriodKind
from tests.factories import case_data, write_case

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "cases"
REFERENCES = {
    "cantal-2006.yaml": "DLA15-2006-01",
    "moselle-2007.yaml": "DLA57-2007-01",
    "isere-2006.yaml": "DLA38-2006-01",
    "bouches-du-rhone-2005.yaml": "DLA13-2005-01",
}
TEMPLATES = sorted(available_journeys())


def load_sample(name: str) -> CasePlan:
    return load_case_file(SAMPLES / name)


def task(plan: CasePlan, key: str):
    return next(t for stage in plan.stages for t in stage.tasks if t.key == key)


def stage(plan: CasePlan, key: str):
    return next(s for s in plan.stages if s.source.cle == key)


def test_the_four_seed_cases_are_shipped_as_samples():
    assert sorted(p.name for p in SAMPLES.glob("*.yaml")) == sorted(REFERENCES)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_each_sample_case_file_loads_with_its_template(name: str):
    plan = load_sample(name)

    assert plan.case.reference == REFERENCES[name]
    assert plan.case.modele in available_journeys()
    assert plan.journey is not None


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_sample_contacts_use_example_org_addresses_only(name: str):
    plan = load_sample(name)

    emails = [c.email for c in plan.case.contacts] + [plan.case.coordination]
    assert all(email.endswith(".example.org") for email in emails), emails


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_sample_steps_fall_within_their_stage(name: str):
    plan = load_sample(name)

    outside = [
        (s.source.cle, t.key, t.due)
        for s in plan.stages
        for t in s.tasks
        if not s.start <= t.due <= s.end
    ]
    assert outside == []


def test_shipped_templates_are_the_five_kinds_of_pooling():
    assert TEMPLATES == [
        "fusion",
        "groupement_employeurs",
        "nouvelle_entite",
        "plateforme_collaborative",
        "poste_partage",
    ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_resolves_with_the_minimal_case(name: str, tmp_path: Path):
    plan = load_case_file(write_case(tmp_path, case_data(modele=name, etapes=[])))

    assert {s.source.temps for s in plan.stages} == set(Moment)
    assert all(t.due >= plan.case.debut for s in plan.stages for t in s.tasks)
    assert [months for months, _ in plan.follow_ups] == sorted(available_journeys()[name].suivis)


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_hold_only_anchored_deadlines(name: str):
    journey = available_journeys()[name]

    for etape in journey.etapes:
        assert etape.debut is None or isinstance(etape.debut, RelativeDeadline)
        assert etape.fin is None or isinstance(etape.fin, RelativeDeadline)
        assert etape.decisions == []
        for tache in etape.taches:
            assert isinstance(tache.echeance, RelativeDeadline), tache.cle


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_validators_name_no_organisation(name: str):
    journey = available_journeys()[name]

    gates = [v for e in journey.etapes if e.validation for v in e.validation.par]
    steps = [v for e in journey.etapes for t in e.taches for v in t.validation]
    assert {v.structure for v in gates + steps} <= {None, "@membres"}


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_has_an_intermediate_deliverable_before_restitution(name: str):
    journey = available_journeys()[name]

    home = next(e for e in journey.etapes for t in e.taches if t.cle == "rendu-intermediaire")
    assert home.temps in (Moment.plan, Moment.mise_en_oeuvre)
    assert any(t.cle == "restitution-intermediaire" for t in home.taches)


def test_moselle_deadline_skips_saint_etienne(tmp_path: Path):
    plan = load_sample("moselle-2007.yaml")
    actes = task(plan, "actes-table-ronde")

    # Thursday 11 Dec 2008 + 10 working days: 25 Dec and 26 Dec (Saint-Étienne) are off in Moselle.
    assert task(plan, "table-ronde").due == date(2008, 12, 11)
    assert calendar_for("57").holiday_name(date(2008, 12, 26)) is not None
    assert actes.due == date(2008, 12, 29)

    data = yaml.safe_load((SAMPLES / "moselle-2007.yaml").read_text(encoding="utf-8"))
    data["departement"] = "38"
    elsewhere = task(load_case_file(write_case(tmp_path, data)), "actes-table-ronde")

    assert elsewhere.due == date(2008, 12, 26)
    assert elsewhere.due == calendar_for("38").add_working_days(actes.due, -1)


def test_moselle_intermediate_deliverable_skips_good_friday():
    plan = load_sample("moselle-2007.yaml")

    # Monday 2 Mar 2009 + 30 working days, Good Friday (10 Apr) being off in Moselle only.
    assert stage(plan, "intervention").start == date(2009, 3, 2)
    assert task(plan, "rendu-intermediaire").due == date(2009, 4, 15)
    assert calendar_for("38").add_working_days(date(2009, 3, 2), 30) == date(2009, 4, 14)


def test_moselle_records_its_charter_and_round_table():
    plan = load_sample("moselle-2007.yaml")

    assert plan.case.contexte.charte_signee_le == task(plan, "charte-cooperation").done_on
    assert task(plan, "table-ronde").done_on == date(2008, 12, 11)
    assert stage(plan, "mise-en-oeuvre").source.phase == 2


def test_isere_records_both_boards_validating_on_27_november_2006():
    plan = load_sample("isere-2006.yaml")

    decided = {
        (d.structure, d.instance, d.decision)
        for s in plan.stages
        for d in s.decisions
        if d.date == date(2006, 11, 27)
    }
    assert decided == {
        ("ateliers-sud-gresivaudan", Body.conseil_administration, Decision.validee),
        ("anna", Body.conseil_administration, Decision.validee),
    }
    gate = stage(plan, "intervention").validators
    assert sorted(gate) == sorted((org, b) for org, b, _ in decided)


def test_isere_plans_appropriation_then_non_intervention_after_intermediate_deliverables():
    plan = load_sample("isere-2006.yaml")
    periods = {p.kind: p for p in plan.periods}

    appropriation = periods[PeriodKind.appropriation]
    assert appropriation.after_step == "rendu-intermediaire"
    assert appropriation.start > task(plan, "rendu-intermediaire").due
    assert appropriation.end < date(2006, 11, 27)
    pause = periods[PeriodKind.non_intervention]
    assert pause.start > stage(plan, "intervention").end
    assert pause.end < stage(plan, "mise-en-oeuvre").start
    assert plan.case.contexte.injonction


def test_isere_reports_2008_figures_of_the_merged_entity():
    plan = load_sample("isere-2006.yaml")
    measured = {i.cle: i.mesure for i in plan.case.indicateurs}

    assert measured["salaries-insertion"] == 200
    assert measured["equivalents-temps-plein"] == 47
    assert measured["budget"] == 1_300_000


def test_cantal_reports_its_2009_activity_and_key_dates():
    plan = load_sample("cantal-2006.yaml")
    measured = {i.cle: i.mesure for i in plan.case.indicateurs}

    assert (measured["demandes-2009"], measured["mises-a-disposition-2009"]) == (69, 35)
    assert task(plan, "statuts").done_on == date(2007, 11, 15)
    assert task(plan, "ouverture-service").done_on.strftime("%Y-%m") == "2009-03"
    assert plan.case.contexte.reseaux_motif_absence


def test_bouches_du_rhone_shows_weak_adherence_and_no_governance():
    plan = load_sample("bouches-du-rhone-2005.yaml")
    context = plan.case.contexte

    assert context.demande_partagee.collectif is False
    assert context.gouvernance is None and context.gouvernance_validee_le is None
    assert task(plan, "depot-statuts").done_on == date(2008, 3, 12)
    assert stage(plan, "suivi").end == date(2010, 1, 29)
