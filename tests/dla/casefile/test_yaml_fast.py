"""libyaml reads well-formed files; anything else gets the strict loader's message and line."""

import pytest
import yaml
from pydantic import ValidationError

from dla.casefile import yamlio
from dla.casefile.problems import CaseFileError
from dla.casefile.schema import ContactIn
from tests.factories import case_data


def strict(text: str):
    """Parse with the pure-Python loader only (what every file went through before)."""
    loader = yamlio._StrictLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple, int] = {}
        yamlio._check_and_map(node, (), lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def test_a_valid_case_file_gives_the_same_data_and_lines_as_the_strict_loader():
    text = yaml.safe_dump(case_data(), allow_unicode=True, sort_keys=False)
    text += "note: |\n  deux\n  lignes\ndate_texte: 2024-02-30\n"
    assert yamlio._parse_fast(text) is not None
    assert yamlio.parse_yaml(text, "cas.yaml") == strict(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\nb:\n  - 2\n  - *x\n", 4),
        ("a: &x [1]\nb: *x\n", 2),
        ("a: 1\nb: 2\na: 3\n", 3),
    ],
)
def test_a_refusal_keeps_the_strict_loaders_line(text, line):
    assert yamlio._parse_fast(text) is None
    with pytest.raises(CaseFileError) as error:
        yamlio.parse_yaml(text, "cas.yaml")
    assert error.value.problems[0].line == line


def test_an_invalid_address_is_refused_every_time_a_valid_one_is_remembered():
    contact = {"role": "direction", "organisation": "aci-un"}
    for _ in range(2):
        with pytest.raises(ValidationError, match="email"):
            ContactIn.model_validate(contact | {"email": "pas-une-adresse"})
        valid = ContactIn.model_validate(contact | {"email": "Direction@ACI-un.example.org"})
        assert valid.email == "Direction@aci-un.example.org"
