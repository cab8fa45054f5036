"""Bad parameters from a form fail the run with a message that names what is wrong."""

import pytest
from prefect.exceptions import ParameterTypeError

from flows.case_flow import CaseRun, run_case
from flows.open_case import open_case
from flows.validate_case import DecisionRefused, ValidationForm, validate_case
from tests.dla.test_opening import FORM


def test_an_unknown_case_fails_its_run_and_names_the_reference(prefect_server, dla_env):
    with pytest.raises(LookupError, match="cas inconnu : 'DLA00-2000-99'"):
        run_case(CaseRun(reference="DLA00-2000-99"))


def test_an_impossible_date_fails_the_run_and_names_the_field(prefect_server, dla_env):
    with pytest.raises(ParameterTypeError, match="debut"):
        open_case(nouveau={**FORM, "debut": "2026-02-30"})


def test_a_decision_on_an_unknown_case_records_nothing_and_says_why(prefect_server, dla_env):
    form = ValidationForm(
        reference="DLA00-2000-99",
        etape="diagnostic",
        instance="conseil_administration",
        decision="validee",
        date_decision="2026-11-02",
    )

    with pytest.raises(DecisionRefused, match="Décision refusée, rien n'a été enregistré"):
        validate_case(form)
