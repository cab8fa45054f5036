"""Every deployment loads from its entrypoint and shows coordinators a French form."""

import json
import re

import pytest
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.schema_tools.validation import validate

from deployments.catalog import deployments
from models.enums import Body, Decision, DemandOrigin, MutualisationKind
from models.labels import label

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
    assert len(names) == len(set(names)) == 11
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


def form(catalogue, name: str) -> dict:
    return next(d for d in catalogue if d.name == name)._parameter_openapi_schema.model_dump()


def refused_fields(schema: dict, values: dict) -> list[str]:
    """Return the paths the server (and the UI's check before sending) refuses, as Prefect does."""
    return [".".join(map(str, e.path)) for e in validate(values, schema)]


def test_no_choice_list_offers_a_raw_code(catalogue):
    vocabularies = (Body, Decision, DemandOrigin, MutualisationKind)
    # Codes written otherwise than their label ("fusion" is both).
    codes = {m.value for v in vocabularies for m in v if label(m) != m.value}
    for deployment in catalogue:
        text = json.dumps(deployment._parameter_openapi_schema.model_dump(), ensure_ascii=False)
        offered = set(re.findall(r'"enum": \[([^\]]*)\]', text))
        for values in offered:
            assert not codes & set(json.loads(f"[{values}]")), (deployment.name, values)
    decision = json.dumps(form(catalogue, "enregistrer-une-validation"), ensure_ascii=False)
    assert '"validée avec réserves"' in decision and '"conseil d\'administration"' in decision


def test_no_field_shows_a_none_type_switch(catalogue):
    for deployment in catalogue:
        text = json.dumps(deployment._parameter_openapi_schema.model_dump())
        assert '{"type": "null"}' not in text, deployment.name


def test_every_pattern_is_described_in_french(catalogue):
    for deployment in catalogue:
        for where, node in schemas(deployment._parameter_openapi_schema.model_dump()):
            for field, prop in node.get("properties", {}).items():
                if "pattern" in prop:
                    assert prop.get("description"), f"{deployment.name} / {where}.{field}"


def test_the_opening_form_refuses_a_malformed_email_before_sending(catalogue):
    from tests.dla.test_opening import FORM

    schema = form(catalogue, "ouvrir-un-cas")
    good = {**FORM, "debut": "2026-12-01", "origine": "Demande d'un collectif de structures"}
    good |= {"modele": "poste partagé", "mutualisations": ["poste partagé"]}
    assert refused_fields(schema, {"nouveau": good}) == []
    coordination = schema["definitions"]["NewCaseForm"]["properties"]["coordination"]
    assert coordination["format"] == "email"
    bad = good | {"coordination": "claire.martin@dla63,org", "departement": "99"}
    bad["structures"] = [{**FORM["structures"][0], "presidence": "pres@aci un.org"}]
    assert sorted(refused_fields(schema, {"nouveau": bad})) == [
        "nouveau.coordination",
        "nouveau.departement",
        "nouveau.structures.0.presidence",
    ]


def test_optional_fields_may_be_left_out_or_sent_empty(catalogue):
    schema = form(catalogue, "enregistrer-une-validation")
    decision = {
        "reference": "DLA38-2006-01",
        "etape": "diagnostic",
        "instance": "coordination DLA",
        "decision": "validée",
        "date_decision": "2006-10-02",
    }
    assert refused_fields(schema, {"decision": decision}) == []
    assert refused_fields(schema, {"decision": decision | {"report_au": None}}) == []
    assert refused_fields(schema, {"decision": decision | {"etape": "Diagnostic"}}) == [
        "decision.etape"
    ]
