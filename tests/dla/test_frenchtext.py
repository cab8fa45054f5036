"""French small words: elision before a vowel, contraction, articles, ordinals, agreement."""

import pytest

from dla.frenchtext import count, elide, elided, ordinal, with_article


@pytest.mark.parametrize(
    "name",
    [
        "ACI Les Jardins",
        "atelier",
        "Emmaüs",
        "Éclaireurs",
        "été",
        "Ère nouvelle",
        "Île de Nantes",
        "Ïle",
        "Insertion",
        "Oasis",
        "Ôde",
        "Œuvre",
        "Union",
        "Ulysse",
        "Yvelines Insertion",
        "ÂGE",
        "Àrt",
    ],
)
def test_de_is_elided_before_every_vowel_accented_or_uppercase(name):
    assert elide(name) == f"d'{name}"
    assert elided("de", name) == "d'"
    assert elide(name, "que") == f"qu'{name}"


@pytest.mark.parametrize("name", ["Brest", "Habitat et Humanisme", "3F", "« ACI »", ""])
def test_de_stays_whole_before_a_consonant_an_h_a_digit_or_a_quote(name):
    assert elide(name) == f"de {name}"
    assert elided("de", name) == "de "


def test_de_contracts_with_a_leading_article():
    assert elide("le début de l'étape") == "du début de l'étape"
    assert elide("les structures") == "des structures"
    assert elide("la fin de l'étape") == "de la fin de l'étape"


def test_a_capitalised_word_keeps_its_capital_when_elided():
    assert elided("De", "ACI") == "D'" and elided("Que", "Oasis") == "Qu'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("conseil_administration", "du conseil d'administration"),
        ("assemblee_generale", "de l'assemblée générale"),
        ("comite_pilotage", "du comité de pilotage"),
        ("comite_technique", "du comité technique"),
        ("coordination_dla", "de la coordination DLA"),
        ("assemblée générale", "de l'assemblée générale"),  # a label already
        ("coordination DLA", "de la coordination DLA"),
    ],
)
def test_a_decision_body_gets_its_article_after_de(value, expected):
    assert with_article(value) == expected


def test_ordinals_and_agreement():
    assert [ordinal(n) for n in (1, 2, 5)] == ["1er", "2e", "5e"]
    assert count(1, "jour ouvré", "jours ouvrés") == "1 jour ouvré"
    assert count(3, "jour ouvré", "jours ouvrés") == "3 jours ouvrés"
