"""Form fields drawn by the Prefect UI: French words for choices, e-mails, optional values."""

import re

import pytest
from pydantic import BaseModel, Field

from dla.casefile.fields import Day
from dla.forms import EMAIL_PATTERN, FormEmail, FormRefused, blank, checked, choice, optional
from models.enums import Body, Decision


class Structure(BaseModel):
    presidence: optional(FormEmail) = blank(title="E-mail de la présidence")


class Form(BaseModel):
    instance: choice(Body) = Field(title="Instance qui décide")
    decision: choice(Decision) = Field(title="Décision")
    jour: optional(Day) = blank(title="Date du jour")
    structures: list[Structure] = Field(default_factory=list, title="Structures")


def test_a_choice_is_offered_in_french_and_taken_as_a_word_or_as_its_code():
    schema = Form.model_json_schema()["properties"]["decision"]
    assert schema["enum"] == ["validée", "validée avec réserves", "refusée", "reportée"]
    by_word = Form(instance="coordination DLA", decision="validée avec réserves")
    by_code = Form(instance="coordination_dla", decision="validee_avec_reserves")
    assert by_word == by_code
    assert by_word.decision is Decision.validee_avec_reserves
    assert by_word.model_dump(mode="json")["instance"] == "coordination DLA"


def test_an_unknown_choice_is_refused_with_the_french_words_expected():
    with pytest.raises(FormRefused) as refused:
        checked(Form, {"instance": "assemblee", "decision": "validée"})
    assert str(refused.value) == (
        "Formulaire refusé : « Instance qui décide » (instance) : choix inconnu ; attendu parmi : "
        "conseil d'administration, bureau, assemblée générale, comité de pilotage, comité "
        "technique, coordination DLA, financeur (valeur : 'assemblee')"
    )


def test_an_optional_field_shows_no_none_switch_and_reads_none_when_left_out():
    schema = Form.model_json_schema()
    assert schema["properties"]["jour"] == {
        "format": "date",
        "title": "Date du jour",
        "type": "string",
    }
    assert "anyOf" not in str(schema)
    assert Form(instance="bureau", decision="refusée").jour is None


def test_each_wrong_field_is_named_by_its_title_even_in_a_list():
    with pytest.raises(FormRefused) as refused:
        checked(
            Form,
            {
                "instance": "bureau",
                "decision": "refusée",
                "jour": "2026-02-30",
                "structures": [{"presidence": "claire.martin@dla63,org"}],
            },
        )
    assert str(refused.value) == (
        "Formulaire refusé : « Date du jour » (jour) : une date AAAA-MM-JJ est attendue "
        "(valeur : '2026-02-30') ; « E-mail de la présidence » (structures[0].presidence) : "
        "adresse e-mail invalide : 'claire.martin@dla63,org' ; attendu : une adresse comme "
        "nom@domaine.fr"
    )


@pytest.mark.parametrize(
    "address",
    ["claire.martin@dla63.org", "c.m+dla@cantal-expansion.example.org", "élodie@dla.fr"],
)
def test_the_form_pattern_takes_the_addresses_the_model_takes(address):
    assert re.search(EMAIL_PATTERN, address)
    assert checked(Structure, {"presidence": address}).presidence


@pytest.mark.parametrize(
    "address", ["claire.martin@dla63,org", "claire martin@dla63.org", "claire@dla63", "a@b@c.org"]
)
def test_the_form_pattern_refuses_a_malformed_address_before_sending(address):
    assert not re.search(EMAIL_PATTERN, address)
