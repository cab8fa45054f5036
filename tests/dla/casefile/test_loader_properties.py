"""Whatever a case file holds, the loader either builds a plan or says in French what is wrong."""

import re
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dla.casefile.loader import CasePlan, build_plan, load_case_file
from dla.casefile.problems import CaseFileError
from dla.casefile.yamlio import parse_yaml
from tests.factories import case_data

# Derandomised: the same examples on every run, a few seconds in all.
PROPERTY = settings(derandomize=True, max_examples=200, deadline=None)

# What pydantic or PyYAML say when a message was left untranslated.
ENGLISH = re.compile(
    r"Input should|Field required|Value error|should be|is not a valid|Extra inputs|"
    r"valeur refusée \("
)


def _paths(value, here=()) -> list[tuple]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


PATHS = _paths(case_data())[1:]

# Values a hurried or hostile writer may put anywhere, including near misses of valid ones.
TRICKY = st.sampled_from(
    [
        "2024-02-30",
        "2024-01-08T10:00:00",
        "9999-12-31",
        "tache:note-diagnostic",
        "debut:inconnue",
        "@membres",
        "ACI",
        "../../etc",
        "a@b",
        "x\r\nBcc: y@z.org",
        "\x00",
        "38",
        "2A",
        "",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates(date(1, 1, 1), date(9999, 12, 31))
    | TRICKY
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_cases(draw) -> dict:
    """The minimal valid case with one to three values replaced, removed or added."""
    data = case_data()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            key = path[-1]
            action = draw(st.sampled_from(["replace", "remove", "add"]))
            if action == "replace":
                parent[key] = draw(VALUES)
            elif action == "remove":
                del parent[key]
            elif isinstance(parent[key], dict):
                parent[key][draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
            elif isinstance(parent[key], list):
                parent[key].append(draw(VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or reshaped this path
    return data


def assert_loads_or_explains(load) -> None:
    """Run `load`: a plan, or a CaseFileError whose every problem is French and names the file."""
    try:
        result = load()
    except CaseFileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.render("cas.yaml").startswith("cas.yaml"), problem
            assert not ENGLISH.search(problem.message), problem
    else:
        assert isinstance(result, CasePlan)


@PROPERTY
@given(mutated_cases())
def test_a_mutated_case_loads_or_is_refused_in_french(data):
    assert_loads_or_explains(lambda: build_plan(data, {}, "cas.yaml"))


@PROPERTY
@given(mutated_cases())
def test_a_mutated_case_written_as_yaml_loads_or_is_refused_in_french(data):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    assert_loads_or_explains(lambda: build_plan(*parse_yaml(text, "cas.yaml"), "cas.yaml"))


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_loads_or_is_refused_in_french(text):
    assert_loads_or_explains(lambda: build_plan(*parse_yaml(text, "cas.yaml"), "cas.yaml"))


@PROPERTY
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file_load_or_are_refused_in_french(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cas.yaml"
        path.write_bytes(content)

        try:
            load_case_file(path)
        except CaseFileError as exc:
            assert all(str(path) in p.render(str(path)) for p in exc.problems)
            assert not any(ENGLISH.search(p.message) for p in exc.problems)
