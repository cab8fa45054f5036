"""What particular documents say, from particular facts."""

from sqlmodel import select

from dla.db import transaction
from dla.deliverables import generate
from models import Case
from tests.dla.deliverables.conftest import CLOCK
from tests.dla.deliverables.readers import html_text
from tests.factories import case_data, save_case

ISERE = "DLA38-2006-01"


def render(engine, var_dir, kind, reference=ISERE):
    with transaction(engine) as session:
        (done,) = generate(
            [reference], [kind], ["html"], session=session, var_dir=var_dir, clock=CLOCK
        )
    return html_text(done.path)


def test_plan_totals_the_days_once_each_service_is_budgeted(samples, tmp_path):
    budget = {
        "entretiens-individuels": {"terrain": 3, "cabinet": 0},
        "ateliers-consensus": {"terrain": 3, "cabinet": 1},
        "rendu-intermediaire": {"terrain": 0, "cabinet": 1.5},
        "pre-projet": {"terrain": 0.5, "cabinet": 2},
        "diagnostic-approfondi": {"terrain": 0, "cabinet": 2.5},
        "conditions-fusion": {"terrain": 0, "cabinet": 1},
    }
    with transaction(samples) as session:
        case = session.exec(select(Case).where(Case.reference == ISERE)).one()
        case.context = {**case.context, "budget_jours": budget}
        session.add(case)

    text = render(samples, tmp_path / "var", "plan_accompagnement")

    assert "Six demi-journées d'élaboration d'une plateforme de consensus 3 1" in text
    assert "Total des journées sur site et en cabinet 6,5 8" in text
    assert "Total des journées d'intervention 14,5" in text


def test_plan_lists_appropriation_after_the_intermediate_deliverable_by_its_title(
    samples, tmp_path
):
    text = render(samples, tmp_path / "var", "plan_accompagnement")

    assert "Temps d'appropriation 16 octobre 2006 9 novembre 2006 25 jours" in text
    assert "Rendu intermédiaire : scénarios de rapprochement" in text


def test_validation_report_records_both_boards_on_27_november_2006(samples, tmp_path):
    text = render(samples, tmp_path / "var", "compte_rendu_validation")

    assert (
        "27 novembre 2006 Les Ateliers du Sud Grésivaudan conseil d'administration validée" in text
    )
    assert "27 novembre 2006 ANNA conseil d'administration validée" in text


def test_validation_report_marks_a_gate_still_waiting_for_its_decisions(engine, tmp_path):
    save_case(engine, tmp_path, case_data())

    text = render(engine, tmp_path / "var", "compte_rendu_validation", "DLA99-2024-01")

    assert "Validations attendues ACI Un — conseil d'administration" in text
    assert "Décisions À compléter : décision(s) de l'instance et date" in text


def test_terms_of_reference_leave_the_method_to_the_consultant(samples, tmp_path):
    text = render(samples, tmp_path / "var", "cahier_des_charges", "DLA15-2006-01")

    assert "Expérience d'un service d'aide à la mobilité comparable" in text
    assert "La méthode d'intervention est laissée à la proposition du prestataire" in text


def test_diagnostic_note_explains_why_no_network_is_involved(samples, tmp_path):
    text = render(samples, tmp_path / "var", "note_diagnostic", "DLA15-2006-01")

    assert "Aucun réseau IAE associé : Très peu de structures sont fédérées" in text
    assert "par le collectif de structures ? non" in text


def test_charter_quotes_values_signatories_and_signing_date(samples, tmp_path):
    text = render(samples, tmp_path / "var", "charte_cooperation", "DLA57-2007-01")

    assert "Charte signée le : 20 novembre 2009" in text
    assert "Nos valeurs partagées" in text


def test_synthesis_counts_kinds_origins_and_open_points_from_the_case_files(samples):
    from collections import Counter

    import yaml
    from sqlmodel import Session

    from dla.deliverables.data import gather
    from dla.deliverables.synthesis import synthesis_context
    from models.enums import DemandOrigin, MutualisationKind
    from models.labels import label
    from tests.dla.deliverables.conftest import REFERENCES, SAMPLES

    files = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SAMPLES.glob("*.yaml")]
    with Session(samples) as session:
        s = synthesis_context(gather(REFERENCES, session=session), CLOCK.today())["synthese"]

    kinds = Counter(label(k, MutualisationKind) for f in files for k in f["mutualisations"])
    origins = Counter(label(DemandOrigin(f["origine"])) for f in files)
    assert s["par_mutualisation"] == dict(kinds)
    assert s["par_origine"] == dict(origins)
    by_case = {c["reference"]: c for c in s["cas"]}
    governance = next(r for r in s["vigilance"] if "gouvernance" in r["message"])
    assert "DLA13-2005-01" in governance["cas"]  # no governance agreed: the seed's lesson
    assert by_case["DLA13-2005-01"]["points_ouverts"] >= 2
    assert [c["reference"] for c in s["cas"]] == sorted(REFERENCES)
