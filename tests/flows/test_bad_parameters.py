"""Bad parameters from a form fail the run with a message that names what is wrong."""

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.deployments import run_deployment
from prefect.exceptions import FailedRun, PrefectHTTPStatusError
from pydantic import ValidationError

from deployments.catalog import deployments
from dla.casefile.form import NewCaseForm
from dla.db import make_engine
from flows.case_flow import CaseRun, run_case
from flows.deliver import DeliverRequest
from flows.open_case import open_case
from flows.portfolio_artifacts import FollowUpCheck
from flows.reminders import SweepRequest
from flows.validate_case import ValidationForm, validate_case
from tests.dla.test_opening import FORM
from tests.factories import save_case, snapshot


def test_an_unknown_case_fails_its_run_and_names_the_reference(prefect_server, dla_env):
    with pytest.raises(FailedRun, match="« Référence du cas » \\(reference\\) : cas inconnu"):
        run_case(CaseRun(reference="DLA00-2000-99"))


def test_an_impossible_date_fails_the_run_with_one_french_line_naming_the_field(
    prefect_server, dla_env
):
    state = open_case(nouveau={**FORM, "debut": "2026-02-30"}, return_state=True)

    assert state.is_failed()
    assert state.message == (
        "Formulaire refusé : « Début de l'accompagnement » (debut) : une date AAAA-MM-JJ est "
        "attendue (valeur : '2026-02-30')"
    )


def test_a_malformed_email_fails_the_run_named_after_the_case_from_the_start(
    prefect_server, dla_env
):
    state = open_case(
        nouveau={**FORM, "coordination": "claire.martin@dla63,org"}, return_state=True
    )

    assert state.message == (
        "Formulaire refusé : « E-mail du ou de la chargé·e de mission » (coordination) : adresse "
        "e-mail invalide : 'claire.martin@dla63,org' ; attendu : une adresse comme nom@domaine.fr"
    )
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == FORM["reference"]
    assert "Traceback" not in state.message and "\n" not in state.message


def test_a_decision_on_an_unknown_case_records_nothing_and_says_why(prefect_server, dla_env):
    form = ValidationForm(
        reference="DLA00-2000-99",
        etape="diagnostic",
        instance="conseil_administration",
        decision="validee",
        date_decision="2026-11-02",
    )

    with pytest.raises(FailedRun, match="Décision refusée, rien n'a été enregistré"):
        validate_case(form)


# --- Issue 8: every field of the two forms has a bound and a French message ---------------------

DECISION = {
    "reference": "DLA99-2024-01",
    "etape": "diagnostic",
    "instance": "conseil_administration",
    "decision": "validee",
    "date_decision": "2024-01-22",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"commentaire": "x" * 2001}, "commentaire"),
        ({"structure": "s" * 81}, "structure"),
        ({"etape": "e" * 61}, "etape"),
        ({"reference": "DLA" + "9" * 40}, "reference"),
        ({"reference": ""}, "reference"),
        ({"date_decision": "2024-02-30"}, "date_decision"),
        ({"report_au": "demain"}, "report_au"),
        ({"instance": "assemblee"}, "instance"),
        ({"decision": "peut-etre"}, "decision"),
    ],
)
def test_a_bad_decision_form_is_refused_on_its_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        ValidationForm.model_validate(DECISION | changes)

    assert [e["loc"][0] for e in refused.value.errors()] == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"titre": "Poste\r\nBcc: victime@example.org"}, "titre"),
        ({"perimetre": "Deux ACI\x00"}, "perimetre"),
        ({"porteur_dla": "DLA\u2028Cantal"}, "porteur_dla"),
        ({"titre": "x" * 301}, "titre"),
        ({"coordination": "coordination@dla63.example.org\nBcc: x@y.org"}, "coordination"),
        ({"departement": "99"}, "departement"),
        ({"debut": "2026-02-30"}, "debut"),
        ({"mutualisations": ["poste_partage"] * 21}, "mutualisations"),
        ({"structures": [FORM["structures"][0]] * 51}, "structures"),
        ({"structures": [{**FORM["structures"][0], "nom": "ACI\nUn"}]}, "structures"),
        ({"structures": [{**FORM["structures"][0], "cle": "../aci"}]}, "structures"),
        ({"structures": [{**FORM["structures"][0], "presidence": "a@b"}]}, "structures"),
        ({"titre": "Poste partagé \u202efdp.exe"}, "titre"),
        ({"perimetre": "Deux ACI \u2066du bassin"}, "perimetre"),
    ],
)
def test_a_bad_opening_form_is_refused_on_its_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        NewCaseForm.model_validate(FORM | changes)

    assert {e["loc"][0] for e in refused.value.errors()} == {field}


def test_a_decision_on_an_unknown_stage_records_nothing_and_names_the_stages(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    before = snapshot(engine)

    named = "étape inconnue : 'inconnue' ; attendu parmi : diagnostic, mise-en-oeuvre$"
    with pytest.raises(FailedRun, match=named):
        validate_case(ValidationForm.model_validate(DECISION | {"etape": "inconnue"}))

    assert snapshot(engine) == before
    engine.dispose()


def test_an_oversized_comment_fails_the_run_before_anything_is_written(prefect_server, dla_env):
    with pytest.raises(FailedRun, match="« Commentaire » \\(commentaire\\) : texte trop long"):
        validate_case(decision=DECISION | {"commentaire": "x" * 10_000})


def test_a_title_with_a_line_break_fails_the_opening_run(prefect_server, dla_env):
    with pytest.raises(FailedRun, match="« Intitulé » \\(titre\\) : retour à la ligne"):
        open_case(nouveau={**FORM, "titre": "Poste\r\nBcc: victime@example.org"})


# --- Issue 15: a day outside 1990–2100 is refused on its field, never an OverflowError ----------


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "model",
    [
        lambda day: CaseRun(reference="DLA99-2024-01", rejouer=True, aujourdhui=day),
        lambda day: SweepRequest(aujourdhui=day),
        lambda day: DeliverRequest(references=["DLA99-2024-01"], aujourdhui=day),
        lambda day: FollowUpCheck(aujourdhui=day),
    ],
    ids=["accompagnement", "relances", "livrables", "suivis"],
)
def test_a_day_out_of_range_is_refused_on_the_aujourdhui_field(model, day):
    with pytest.raises(ValidationError) as refused:
        model(day)

    (error,) = refused.value.errors()
    assert error["loc"] == ("aujourdhui",)
    assert "une date entre 1990 et 2100 est attendue" in error["msg"]


def test_a_replay_to_year_9999_fails_its_run_on_the_field_and_writes_nothing(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    before = snapshot(engine)

    with pytest.raises(FailedRun, match="« Date du jour \\(rejeu\\) » \\(aujourdhui\\) : une date"):
        run_case(cas={"reference": "DLA99-2024-01", "rejouer": True, "aujourdhui": "9999-12-31"})

    assert snapshot(engine) == before
    engine.dispose()


# --- Issue 15: an unknown parameter sent through the API ---------------------------------------


@pytest.fixture
def catalogued(prefect_server):
    """The catalogue's case deployment registered on the test server (not served: no run starts)."""
    from prefect.client.orchestration import get_client

    (deployment,) = [d for d in deployments() if d.name == "suivre-un-cas"]
    deployment_id = deployment.apply()
    yield f"{deployment.flow_name}/{deployment.name}"
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        ):
            client.delete_flow_run(run.id)
        client.delete_deployment(deployment_id)


def test_the_api_refuses_a_run_with_an_unknown_parameter_and_names_it(catalogued):
    with pytest.raises(PrefectHTTPStatusError) as refused:
        run_deployment(
            catalogued, parameters={"cas": {"reference": "DLA99-2024-01"}, "inconnu": 1}, timeout=0
        )

    assert refused.value.response.status_code == 409
    assert "'inconnu' was unexpected" in refused.value.response.text


def test_the_api_still_takes_a_run_with_known_parameters(catalogued):
    run = run_deployment(catalogued, parameters={"cas": {"reference": "DLA99-2024-01"}}, timeout=0)
    assert run.parameters == {"cas": {"reference": "DLA99-2024-01"}}
