"""Malformed case files are refused with every problem, each naming the file, the field and the rule."""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.casefile.schema import Journey
from tests.factories import case_data, write_case

# --- Building one defect into the minimal valid case ------------------------------------------

Edit = Callable[[dict], None]


def _steps(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]


def _parent(data: dict, path: str) -> tuple[dict | list, str | int]:
    *head, last = _steps(path)
    for step in head:
        data = data[step]
    return data, last


def put(path: str, value) -> Edit:
    def edit(data: dict) -> None:
        parent, key = _parent(data, path)
        parent[key] = value

    return edit


def drop(path: str) -> Edit:
    def edit(data: dict) -> None:
        parent, key = _parent(data, path)
        del parent[key]

    return edit


def add(path: str, item) -> Edit:
    def edit(data: dict) -> None:
        parent, key = _parent(data, path)
        parent.setdefault(key, []).append(item)

    return edit


def case(*edits: Edit) -> dict:
    """The minimal valid case with `edits` applied."""
    data = case_data()
    for edit in edits:
        edit(data)
    return data


def text(data: dict | None = None) -> str:
    return yaml.safe_dump(
        case_data() if data is None else data, allow_unicode=True, sort_keys=False
    )


def replaced(old: str, new: str) -> bytes:
    """The minimal valid case as YAML text, with one piece of text replaced."""
    valid = text()
    assert old in valid, old
    return valid.replace(old, new, 1).encode("utf-8")


def task(key: str, after: str) -> dict:
    return {
        "cle": key,
        "titre": f"Tâche {key}",
        "responsable": "coordination",
        "echeance": {"apres": after, "delai": 5},
    }


@dataclass
class Reject:
    content: dict | bytes
    path: str
    fragment: str
    max_bytes: int = 1_000_000


BILLION_LAUGHS = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(
        f"{chr(ord('b') + i)}: &{chr(ord('b') + i)} [{', '.join(['*' + chr(ord('a') + i)] * 9)}]\n"
        for i in range(8)
    )
).encode()

CYCLE = [task("a", "tache:c"), task("b", "tache:a"), task("c", "tache:b")]
PERIOD = {"cle": "appropriation", "type": "appropriation", "debut": date(2024, 3, 1)}


def row(name: str, content: dict | bytes, path: str, fragment: str, max_bytes: int = 1_000_000):
    return pytest.param(Reject(content, path, fragment, max_bytes), id=name)


REJECTS = [
    # Shapes and types of fields
    row("title-given-as-a-number", case(put("titre", 12)), "titre", "un texte est attendu"),
    row("unknown-top-level-field", case(put("couleur", "bleu")), "couleur", "champ inconnu"),
    row(
        "unknown-field-in-an-organisation",
        case(put("organisations[1].adresse", "1 rue")),
        "organisations[1].adresse",
        "champ inconnu",
    ),
    row("missing-scope", case(drop("perimetre")), "perimetre", "champ obligatoire manquant"),
    row(
        "missing-role-of-a-contact",
        case(drop("contacts[1].role")),
        "contacts[1].role",
        "champ obligatoire manquant",
    ),
    row(
        "unknown-origin",
        case(put("origine", "spontanee")),
        "origine",
        "valeur attendue parmi : structure_unique, collectif, proposition_dla ou injonction",
    ),
    row(
        "unknown-member-role",
        case(put("membres[1].role", "adherent")),
        "membres[1].role",
        "valeur attendue parmi",
    ),
    row(
        "no-form-of-mutualisation",
        case(put("mutualisations", [])),
        "mutualisations",
        "au moins 1 élément",
    ),
    row(
        "unknown-unit-of-a-delay",
        case(put("etapes[0].taches[0].echeance.unite", "heures")),
        "etapes[0].taches[0].echeance.unite",
        "valeur attendue parmi",
    ),
    # Dates
    row("date-given-as-a-number", case(put("debut", 2006)), "debut", "pas un nombre"),
    row(
        "date-written-the-french-way",
        case(put("debut", "27/11/2006")),
        "debut",
        "une date AAAA-MM-JJ est attendue",
    ),
    row(
        "impossible-date-without-quotes",
        replaced("debut: 2024-01-08", "debut: 2024-02-30"),
        "debut",
        "une date AAAA-MM-JJ est attendue",
    ),
    row(
        "date-of-another-century",
        case(put("debut", date(1890, 1, 6))),
        "debut",
        "une date entre 1990 et 2100",
    ),
    row(
        "deadline-given-as-a-list",
        case(put("etapes[0].taches[0].echeance", ["2024-02-01"])),
        "etapes[0].taches[0].echeance",
        "une date AAAA-MM-JJ ou un bloc {apres, delai, unite}",
    ),
    row(
        "stage-ending-before-it-starts",
        case(put("etapes[0].fin", date(2024, 1, 5))),
        "etapes[0].fin",
        "la fin précède le début (2024-01-08)",
    ),
    row(
        "period-ending-before-it-starts",
        case(add("periodes", {**PERIOD, "fin": date(2024, 2, 1)})),
        "periodes[0].fin",
        "la fin précède le début (2024-03-01)",
    ),
    row(
        "period-with-both-an-end-and-a-length",
        case(add("periodes", {**PERIOD, "fin": date(2024, 4, 1), "duree": 30})),
        "periodes[0].fin",
        "pas les deux",
    ),
    # Anchors and offsets
    row(
        "step-after-itself",
        case(put("etapes[0].taches[0].echeance.apres", "tache:note-diagnostic")),
        "etapes[0].taches[0].echeance",
        "la tâche dépend d'elle-même",
    ),
    row(
        "three-steps-in-a-cycle",
        case(put("etapes[0].taches", CYCLE)),
        "etapes[0].taches[0].echeance",
        "dépendance circulaire : tache:a → tache:c → tache:b → tache:a",
    ),
    row(
        "anchor-to-an-unknown-step",
        case(put("etapes[0].taches[0].echeance.apres", "tache:inconnue")),
        "etapes[0].taches[0].echeance.apres",
        "ancre inconnue",
    ),
    row(
        "anchor-without-its-kind",
        case(put("etapes[0].taches[0].echeance.apres", "note-diagnostic")),
        "etapes[0].taches[0].echeance.apres",
        "une ancre tache:CLE, debut:ETAPE",
    ),
    # References between parts of the file
    row(
        "member-not-among-organisations",
        case(put("membres[1].organisation", "inconnue")),
        "membres[1].organisation",
        "organisation inconnue",
    ),
    row(
        "contact-of-an-unknown-organisation",
        case(put("contacts[1].organisation", "inconnue")),
        "contacts[1].organisation",
        "organisation inconnue",
    ),
    row(
        "owner-role-nobody-holds",
        case(put("etapes[0].taches[0].responsable", "financeur")),
        "etapes[0].taches[0].responsable",
        "responsable inconnu ; attendu : coordination, un rôle tenu dans le cas",
    ),
    row(
        "coordination-email-not-among-contacts",
        case(put("coordination", "autre@dla-test.example.org")),
        "coordination",
        "aucun contact",
    ),
    row(
        "coordination-contact-without-its-role",
        case(put("contacts[0].role", "direction")),
        "coordination",
        "le rôle coordination_dla",
    ),
    row(
        "dla-host-of-another-kind",
        case(put("porteur_dla", "cabinet")),
        "porteur_dla",
        "doit être de type porteur_dla",
    ),
    row(
        "dla-host-not-among-organisations",
        case(put("porteur_dla", "inconnu")),
        "porteur_dla",
        "organisation inconnue",
    ),
    row(
        "dla-host-given-as-a-list",
        case(put("porteur_dla", ["dla-test"])),
        "porteur_dla",
        "un texte est attendu",
    ),
    row(
        "validator-not-a-member",
        case(put("etapes[0].validation.par[0].structure", "cabinet-bis")),
        "etapes[0].validation.par[0].structure",
        "structure absente des membres du cas",
    ),
    row("unknown-template", case(put("modele", "inexistant")), "modele", "modèle inconnu"),
    row(
        "problem-located-where-written-when-stages-are-out-of-order",
        case(
            put("etapes", list(reversed(case_data()["etapes"]))),
            put("etapes[1].taches[0].responsable", "financeur"),
        ),
        "etapes[1].taches[0].responsable",
        "responsable inconnu",
    ),
    row(
        "problem-located-where-written-after-a-retired-step",
        case(
            put(
                "etapes[0].taches",
                [
                    {"cle": "brouillon", "retiree": True},
                    {**task("x", "debut:diagnostic"), "responsable": "financeur"},
                ],
            )
        ),
        "etapes[0].taches[1].responsable",
        "responsable inconnu",
    ),
    # Identifiers
    row(
        "invalid-email",
        case(put("contacts[1].email", "presidence-chez-aci")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    row(
        "siret-failing-luhn",
        case(put("organisations[1].siret", "73282932000075")),
        "organisations[1].siret",
        "clé de contrôle",
    ),
    row(
        "siret-of-13-digits",
        case(put("organisations[1].siret", "7328293200007")),
        "organisations[1].siret",
        "14 chiffres",
    ),
    row(
        "siae-without-its-kind",
        case(drop("organisations[2].siae")),
        "organisations[2].siae",
        "une SIAE doit préciser son type",
    ),
    row(
        "siae-kind-on-a-consultancy",
        case(put("organisations[3].siae", "ACI")),
        "organisations[3].siae",
        "n'a de sens que pour",
    ),
    row("departement-99", case(put("departement", "99")), "departement", "numéro de département"),
    row("departement-2C", case(put("departement", "2C")), "departement", "numéro de département"),
    row("departement-20", case(put("departement", "20")), "departement", "numéro de département"),
    row(
        "lowercase-reference",
        case(put("reference", "dla99-2024-01")),
        "reference",
        "une référence en majuscules",
    ),
    row(
        "reference-climbing-out-of-its-folder",
        case(put("reference", "../etc")),
        "reference",
        "une référence en majuscules",
    ),
    # Uniqueness
    row(
        "two-organisations-with-one-key",
        case(
            add(
                "organisations",
                {"cle": "cabinet", "nom": "Autre cabinet", "type": "prestataire"},
            )
        ),
        "organisations[4].cle",
        "valeur en double",
    ),
    row(
        "one-step-key-in-two-stages",
        case(put("etapes[1].taches[0].cle", "note-diagnostic")),
        "etapes[1].taches[0].cle",
        "valeur en double",
    ),
    row(
        "two-stages-with-one-key",
        case(put("etapes[1].cle", "diagnostic")),
        "etapes[1].cle",
        "valeur en double",
    ),
    # Validation rules
    row(
        "quorum-rule-without-a-quorum",
        case(put("etapes[0].validation.regle", "quorum")),
        "etapes[0].validation.quorum",
        "la règle quorum demande le champ quorum",
    ),
    row(
        "quorum-above-the-possible-validations",
        case(put("etapes[0].validation.regle", "quorum"), put("etapes[0].validation.quorum", 3)),
        "etapes[0].validation.quorum",
        "quorum supérieur aux 2 validations possibles",
    ),
    row(
        "qualitative-indicator-with-a-number",
        case(
            add(
                "indicateurs",
                {"cle": "confiance", "libelle": "Confiance", "type": "qualitatif", "cible": 3},
            )
        ),
        "indicateurs[0].cible",
        "un indicateur qualitatif s'exprime en cible_texte",
    ),
    row(
        "indicator-target-not-a-number",
        case(
            add(
                "indicateurs",
                {"cle": "ca", "libelle": "CA", "type": "quantitatif", "cible": float("nan")},
            )
        ),
        "indicateurs[0].cible",
        "un nombre fini est attendu",
    ),
    # YAML itself
    row("billion-laughs", BILLION_LAUGHS, "", "les alias YAML (*nom) ne sont pas acceptés"),
    row(
        "duplicate-key",
        replaced("titre:", "titre: Doublon\ntitre:"),
        "titre",
        "clé en double : titre",
    ),
    row(
        "duplicate-key-in-an-organisation",
        replaced("  nom: DLA de test\n", "  nom: DLA de test\n  nom: Encore\n"),
        "organisations[0].nom",
        "clé en double : nom",
    ),
    row(
        "invalid-yaml",
        replaced("titre: ", "titre: [non fermé\n"),
        "",
        "YAML invalide : syntaxe incorrecte",
    ),
    row("tab-indentation", replaced("  nom: DLA", "\tnom: DLA"), "", "tabulation interdite"),
    row("two-documents", text().encode() + b"---\ntitre: autre\n", "", "un seul document"),
    row("latin-1-file", text().encode("latin-1", "replace"), "", "encodé en UTF-8"),
    row(
        "control-character", replaced("titre: Poste", "titre: \x07Poste"), "", "caractère interdit"
    ),
    row("file-over-the-size-limit", text().encode(), "", "fichier trop gros", max_bytes=200),
    row("empty-file", b"", "", "le fichier est vide"),
    row("comments-only", b"# rien\n", "", "le fichier est vide"),
    row("top-level-list", yaml.safe_dump([case_data()]).encode(), "", "bloc de champs"),
    row("merge-key", replaced("titre:", "<<: {titre: x}\ntitre:"), "", "fusions YAML"),
    row("number-as-a-key", replaced("titre:", "12: douze\ntitre:"), "", "clé non textuelle : 12"),
    row("list-as-a-key", replaced("titre:", "? [a, b]\n: c\ntitre:"), "", "clé non textuelle"),
    row(
        "python-tag",
        replaced("titre: Poste", "titre: !!python/object/apply:os.system [ls] #"),
        "",
        "étiquette YAML (!!...) non acceptée",
    ),
    row(
        "deeply-nested-lists",
        replaced("titre: Poste", "titre: " + "[" * 5000 + "]" * 5000 + " #"),
        "",
        "YAML trop profondément imbriqué",
    ),
]


@pytest.mark.parametrize("reject", REJECTS)
def test_a_malformed_case_file_is_refused_naming_the_field_and_the_rule(
    tmp_path: Path, reject: Reject
):
    path = _write(tmp_path, reject.content)

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path, max_bytes=reject.max_bytes)

    problems = raised.value.problems
    matching = [p for p in problems if p.path == reject.path and reject.fragment in p.message]
    assert matching, [(p.path, p.message) for p in problems]
    for problem in problems:
        assert problem.render(str(path)).startswith(str(path))
    assert str(path) in str(raised.value)


def test_the_billion_laughs_are_refused_before_any_expansion(tmp_path: Path):
    path = _write(tmp_path, BILLION_LAUGHS)

    started = time.perf_counter()
    with pytest.raises(CaseFileError):
        load_case_file(path)

    assert time.perf_counter() - started < 0.5


def test_all_independent_problems_are_reported_at_once(tmp_path: Path):
    data = case(
        put("titre", 12), put("origine", "spontanee"), put("contacts[1].email", "pas-une-adresse")
    )

    with pytest.raises(CaseFileError) as raised:
        load_case_file(write_case(tmp_path, data))

    assert sorted(p.path for p in raised.value.problems) == [
        "contacts[1].email",
        "origine",
        "titre",
    ]


def test_all_reference_problems_are_reported_at_once(tmp_path: Path):
    data = case(
        put("membres[1].organisation", "inconnue"),
        put("contacts[3].organisation", "inconnue"),
        put("coordination", "personne@dla-test.example.org"),
    )

    with pytest.raises(CaseFileError) as raised:
        load_case_file(write_case(tmp_path, data))

    assert sorted(p.path for p in raised.value.problems) == [
        "contacts[3].organisation",
        "coordination",
        "membres[1].organisation",
    ]


def test_a_field_error_gives_the_line_of_the_field(tmp_path: Path):
    path = write_case(
        tmp_path, case(put("origine", "spontanee"), put("contacts[2].email", "pas-une-adresse"))
    )
    lines = path.read_text(encoding="utf-8").splitlines()

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path)

    found = {p.path: p for p in raised.value.problems}
    assert lines[found["origine"].line - 1] == "origine: spontanee"
    assert lines[found["contacts[2].email"].line - 1] == "- email: pas-une-adresse"
    assert (
        found["origine"]
        .render("cas.yaml")
        .startswith(f"cas.yaml:{found['origine'].line} : origine : ")
    )


def test_a_cross_reference_error_gives_the_line_of_the_field(tmp_path: Path):
    path = write_case(tmp_path, case(put("etapes[1].taches[0].responsable", "financeur")))
    lines = path.read_text(encoding="utf-8").splitlines()

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path)

    (problem,) = raised.value.problems
    assert lines[problem.line - 1].strip() == "responsable: financeur"


def test_a_duplicate_yaml_key_gives_the_line_of_the_second_key(tmp_path: Path):
    path = _write(tmp_path, replaced("perimetre:", "titre: Doublon\nperimetre:"))
    lines = path.read_text(encoding="utf-8").splitlines()

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path)

    (problem,) = raised.value.problems
    assert lines[problem.line - 1] == "titre: Doublon"


def test_a_missing_file_is_reported_as_unreadable(tmp_path: Path):
    with pytest.raises(CaseFileError) as raised:
        load_case_file(tmp_path / "absent.yaml")

    assert raised.value.problems[0].message == "fichier illisible : fichier introuvable"


def test_a_folder_is_reported_as_unreadable(tmp_path: Path):
    with pytest.raises(CaseFileError) as raised:
        load_case_file(tmp_path)

    assert (
        raised.value.problems[0].message == "fichier illisible : c'est un dossier, pas un fichier"
    )


def _write(directory: Path, content: dict | bytes) -> Path:
    if isinstance(content, dict):
        return write_case(directory, content)
    path = directory / "cas.yaml"
    path.write_bytes(content)
    return path


def test_a_problem_inherited_from_the_template_is_located_in_the_template(
    tmp_path: Path, monkeypatch
):
    template = Journey.model_validate(
        {
            "nom": "essai",
            "titre": "Parcours d'essai",
            "description": "Un modèle pour le test",
            "etapes": [
                {
                    "cle": "diagnostic",
                    "temps": "diagnostic",
                    "taches": [{**task("cadrage", "debut:diagnostic"), "responsable": "financeur"}],
                }
            ],
        }
    )
    monkeypatch.setattr("dla.casefile.loader.available_journeys", lambda: {"essai": template})
    path = write_case(
        tmp_path, case(put("modele", "essai"), put("etapes[1].taches[0].responsable", "financeur"))
    )
    lines = path.read_text(encoding="utf-8").splitlines()

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path)

    found = {p.path: p for p in raised.value.problems}
    assert set(found) == {
        "modele.etapes[0].taches[0].responsable",
        "etapes[1].taches[0].responsable",
    }
    assert lines[found["modele.etapes[0].taches[0].responsable"].line - 1] == "modele: essai"
