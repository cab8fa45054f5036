"""The label catalogue: every vocabulary worded once, in models.labels, and nowhere else."""

import ast
import inspect
from enum import StrEnum
from pathlib import Path

import models.enums
from models.enums import CaseStatus, Moment, NotificationStatus, Rule, StageStatus
from models.labels import CATALOGUE, label

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = [
    v
    for v in vars(models.enums).values()
    if inspect.isclass(v)
    and issubclass(v, StrEnum)
    and v.__module__ == "models.enums"
    and v is not models.enums.Vocabulary
]
CODES = {str(m) for v in VOCABULARIES for m in v}
# Dictionaries keyed by a vocabulary that are not its labels (a reminder's subject line).
NOT_LABELS = {("dla/outbox/rules.py", "SUBJECTS")}


def test_every_member_of_every_vocabulary_has_exactly_one_label_in_the_catalogue():
    assert set(CATALOGUE) == set(VOCABULARIES)
    for vocabulary in VOCABULARIES:
        assert set(CATALOGUE[vocabulary]) == set(vocabulary), vocabulary.__name__
        for member in vocabulary:
            assert label(member).strip(), member


def test_a_member_is_named_by_its_own_vocabulary_and_a_bare_code_by_the_first_one():
    assert label(CaseStatus.close) == "clos" and label(StageStatus.close) == "close"
    assert label("close") == "close" and label("close", CaseStatus) == "clos"
    assert label(Rule.suivi) == "suivi à recueillir"
    assert label("suivi") == label(Moment.suivi) == "Accompagnement dans la durée"
    assert label("retry", NotificationStatus) == "à réessayer"
    assert label("code_inconnu") == "code inconnu"


def _label_dictionaries(path: Path):
    """Yield (line, name) of each dict literal mapping two codes of one vocabulary to text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        codes = []
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                codes.append(key.value)
            elif isinstance(key, ast.Attribute):
                codes.append(key.attr)
        texts = [
            v.value
            for v in node.values
            if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value not in CODES
        ]
        same_vocabulary = any(len({str(m) for m in v} & set(codes)) >= 2 for v in VOCABULARIES)
        if same_vocabulary and texts:
            yield node.lineno


def test_no_module_outside_the_catalogue_words_a_vocabulary():
    sources = [
        p
        for folder in ("dla", "flows", "web", "models", "deployments")
        for p in (ROOT / folder).rglob("*.py")
        if "migrations" not in p.parts and p != ROOT / "models" / "labels.py"
    ]
    found = []
    for path in sources:
        relative = path.relative_to(ROOT).as_posix()
        names = _assigned_names(path)
        for line in _label_dictionaries(path):
            if (relative, names.get(line)) not in NOT_LABELS:
                found.append(f"{relative}:{line}")
    assert not found, f"labels written outside models/labels.py: {found}"


def _assigned_names(path: Path) -> dict[int, str]:
    """Map the line of each module-level dict literal to the name it is assigned to."""
    names = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[node.value.lineno] = target.id
    return names
