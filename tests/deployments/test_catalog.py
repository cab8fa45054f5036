"""Every deployment loads from its entrypoint and shows coordinators a French form."""

import re

import pytest
from prefect.flows import load_flow_from_entrypoint

from deployments.catalog import deployments

# Words that betray an English docstring leaking into a form.
ENGLISH = re.compile(r"\b(the|of|and|form|what|which|one|with|from)\b", re.IGNORECASE)


def schemas(schema: dict):
    """Yield (where, node) for every object schema of a parameter schema."""
    yield "parameters", schema
    yield from schema.get("definitions", {}).items()


@pytest.fixture(scope="module")
def catalogue():
    return deployments()


def test_the_catalogue_names_every_process_once(catalogue):
    names = [d.name for d in catalogue]
    assert len(names) == len(set(names)) == 10
    assert {"ouvrir-un-cas", "suivre-un-cas", "enregistrer-une-validation", "agir-sur-un-cas"} <= (
        set(names)
    )


def test_every_entrypoint_loads_its_flow(catalogue):
    for deployment in catalogue:
        flow = load_flow_from_entrypoint(deployment.entrypoint)
        assert flow.name == deployment.flow_name, deployment.entrypoint


def test_every_form_field_has_a_title_and_no_english_text(catalogue):
    for deployment in catalogue:
        for where, node in schemas(deployment._parameter_openapi_schema.model_dump()):
            text = " ".join(
                str(node.get(k, "")) for k in ("title", "description") if where != "parameters"
            )
            assert not ENGLISH.search(text), f"{deployment.name} / {where} : {text!r}"
            if where != "parameters":
                assert node["title"] != where, f"{deployment.name} / {where} sans titre français"
            for field, prop in node.get("properties", {}).items():
                # The UI labels a field with its own title, never its vocabulary's.
                assert prop.get("title"), f"{deployment.name} / {where}.{field} sans titre"
                words = f"{prop.get('title', '')} {prop.get('description', '')}"
                assert not ENGLISH.search(words), f"{deployment.name} / {where}.{field} : {words!r}"


def test_every_deployment_has_a_french_description(catalogue):
    for deployment in catalogue:
        assert deployment.description and not ENGLISH.search(deployment.description)


def test_scheduled_deployments_run_on_paris_time(catalogue):
    scheduled = {d.name: d.schedules for d in catalogue if d.schedules}
    assert set(scheduled) == {
        "relances-quotidiennes",
        "resume-hebdomadaire",
        "synthese-hebdomadaire",
        "suivis-mensuels",
    }
    for entries in scheduled.values():
        assert all(s.schedule.timezone == "Europe/Paris" for s in entries)
