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

REJECTS = [
    # Shapes and types of fields
    pytest.param(
        Reject(case(put("titre", 12)), "titre", "un texte est attendu"),
        id="title-given-as-a-number",
    ),
    pytest.param(
        Reject(case(put("couleur", "bleu")), "couleur", "champ inconnu"),
        id="unknown-top-level-field",
    ),
    pytest.param(
        Reject(
            case(put("organisations[1].adresse", "1 rue")),
            "organisations[1].adresse",
            "champ inconnu",
        ),
        id="unknown-field-in-an-organisation",
    ),
    pytest.param(
        Reject(case(drop("perimetre")), "perimetre", "champ obligatoire manquant"),
        id="missing-scope",
    ),
    pytest.param(
        Reject(case(drop("contacts[1].role")), "contacts[1].role", "champ obligatoire manquant"),
        id="missing-role-of-a-contact",
    ),
    pytest.param(
        Reject(
            case(put("origine", "spontanee")),
            "origine",
            "valeur attendue parmi : structure_unique, collectif, proposition_dla ou injonction",
        ),
        id="unknown-origin",
    ),
    pytest.param(
        Reject(
            case(put("membres[1].role", "adherent")), "membres[1].role", "valeur attendue parmi"
        ),
        id="unknown-member-role",
    ),
    pytest.param(
        Reject(case(put("mutualisations", [])), "mutualisations", "au moins 1 élément"),
        id="no-form-of-mutualisation",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].echeance.unite", "heures")),
            "etapes[0].taches[0].echeance.unite",
            "valeur attendue parmi",
        ),
        id="unknown-unit-of-a-delay",
    ),
    # Dates
    pytest.param(
        Reject(case(put("debut", 2006)), "debut", "pas un nombre"), id="date-given-as-a-number"
    ),
    pytest.param(
        Reject(case(put("debut", "27/11/2006")), "debut", "une date AAAA-MM-JJ est attendue"),
        id="date-written-the-french-way",
    ),
    pytest.param(
        Reject(
            replaced("debut: 2024-01-08", "debut: 2024-02-30"),
            "debut",
            "une date AAAA-MM-JJ est attendue",
        ),
        id="impossible-date-without-quotes",
    ),
    pytest.param(
        Reject(case(put("debut", date(1890, 1, 6))), "debut", "une date entre 1990 et 2100"),
        id="date-of-another-century",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].echeance", ["2024-02-01"])),
            "etapes[0].taches[0].echeance",
            "une date AAAA-MM-JJ ou un bloc {apres, delai, unite}",
        ),
        id="deadline-given-as-a-list",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].fin", date(2024, 1, 5))),
            "etapes[0].fin",
            "la fin précède le début (2024-01-08)",
        ),
        id="stage-ending-before-it-starts",
    ),
    pytest.param(
        Reject(
            case(add("periodes", {**PERIOD, "fin": date(2024, 2, 1)})),
            "periodes[0].fin",
            "la fin précède le début (2024-03-01)",
        ),
        id="period-ending-before-it-starts",
    ),
    pytest.param(
        Reject(
            case(add("periodes", {**PERIOD, "fin": date(2024, 4, 1), "duree": 30})),
            "periodes[0].fin",
            "pas les deux",
        ),
        id="period-with-both-an-end-and-a-length",
    ),
    # Anchors and offsets
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].echeance.apres", "tache:note-diagnostic")),
            "etapes[0].taches[0].echeance",
            "la tâche dépend d'elle-même",
        ),
        id="step-after-itself",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches", CYCLE)),
            "etapes[0].taches[0].echeance",
            "dépendance circulaire : tache:a → tache:c → tache:b → tache:a",
        ),
        id="three-steps-in-a-cycle",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].echeance.apres", "tache:inconnue")),
            "etapes[0].taches[0].echeance.apres",
            "ancre inconnue",
        ),
        id="anchor-to-an-unknown-step",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].echeance.apres", "note-diagnostic")),
            "etapes[0].taches[0].echeance.apres",
            "une ancre tache:CLE, debut:ETAPE",
        ),
        id="anchor-without-its-kind",
    ),
    # References between parts of the file
    pytest.param(
        Reject(
            case(put("membres[1].organisation", "inconnue")),
            "membres[1].organisation",
            "organisation inconnue",
        ),
        id="member-not-among-organisations",
    ),
    pytest.param(
        Reject(
            case(put("contacts[1].organisation", "inconnue")),
            "contacts[1].organisation",
            "organisation inconnue",
        ),
        id="contact-of-an-unknown-organisation",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].taches[0].responsable", "financeur")),
            "etapes[0].taches[0].responsable",
            "responsable inconnu ; attendu : coordination, un rôle tenu dans le cas",
        ),
        id="owner-role-nobody-holds",
    ),
    pytest.param(
        Reject(
            case(put("coordination", "autre@dla-test.example.org")), "coordination", "aucun contact"
        ),
        id="coordination-email-not-among-contacts",
    ),
    pytest.param(
        Reject(
            case(put("contacts[0].role", "direction")), "coordination", "le rôle coordination_dla"
        ),
        id="coordination-contact-without-its-role",
    ),
    pytest.param(
        Reject(case(put("porteur_dla", "cabinet")), "porteur_dla", "doit être de type porteur_dla"),
        id="dla-host-of-another-kind",
    ),
    pytest.param(
        Reject(case(put("porteur_dla", "inconnu")), "porteur_dla", "organisation inconnue"),
        id="dla-host-not-among-organisations",
    ),
    pytest.param(
        Reject(case(put("porteur_dla", ["dla-test"])), "porteur_dla", "un texte est attendu"),
        id="dla-host-given-as-a-list",
    ),
    pytest.param(
        Reject(
            case(put("etapes[0].validation.par[0].structure", "cabinet-bis")),
            "etapes[0].validation.par[0].structure",
            "structure absente des membres du cas",
        ),
        id="validator-not-a-member",
    ),
    pytest.param(
        Reject(case(put("modele", "inexistant")), "modele", "modèle inconnu"), id="unknown-template"
    ),
    pytest.param(
        Reject(
            case(
                put("etapes", list(reversed(case_data()["etapes"]))),
                put("etapes[1].taches[0].responsable", "financeur"),
            ),
            "etapes[1].taches[0].responsable",
            "responsable inconnu",
        ),
        id="problem-located-where-written-when-stages-are-out-of-order",
    ),
    # Identifiers
    pytest.param(
        Reject(
            case(put("contacts[1].email", "presidence-chez-aci")),
            "contacts[1].email",
            "adresse e-mail invalide",
        ),
        id="invalid-email",
    ),
    pytest.param(
        Reject(
            case(put("organisations[1].siret", "73282932000075")),
            "organisations[1].siret",
            "clé de contrôle",
        ),
        id="siret-failing-luhn",
    ),
    pytest.param(
        Reject(
            case(put("organisations[1].siret", "7328293200007")),
            "organisations[1].siret",
            "14 chiffres",
        ),
        id="siret-of-13-digits",
    ),
    pytest.param(
        Reject(
            case(drop("organisations[2].siae")),
            "organisations[2].siae",
            "une SIAE doit préciser son type",
        ),
        id="siae-without-its-kind",
    ),
    pytest.param(
        Reject(
            case(put("organisations[3].siae", "ACI")),
            "organisations[3].siae",
            "n'a de sens que pour",
        ),
        id="siae-kind-on-a-consultancy",
    ),
    pytest.param(
        Reject(case(put("departement", "99")), "departement", "numéro de département"),
        id="departement-99",
    ),
    pytest.param(
        Reject(case(put("departement", "2C")), "departement", "numéro de département"),
        id="departement-2C",
    ),
    pytest.param(
        Reject(case(put("departement", "20")), "departement", "numéro de département"),
        id="departement-20",
    ),
    pytest.param(
        Reject(case(put("reference", "dla99-2024-01")), "reference", "une référence en majuscules"),
        id="lowercase-reference",
    ),
    pytest.param(
        Reject(case(put("reference", "../etc")), "reference", "une référence en majuscules"),
        id="reference-climbing-out-of-its-folder",
    ),
    # Uniqueness
    pytest.param(
        Reject(
            case(
                add(
                    "organisations",
                    {"cle": "cabinet", "nom": "Autre cabinet", "type": "prestataire"},
                )
            ),
            "organisations[4].cle",
            "valeur en double",
        ),
        id="two-organisations-with-one-key",
    ),
    pytest.param(
        Reject(
            case(put("etapes[1].taches[0].cle", "note-diagnostic")),
            "etapes[1].taches[0].cle",
            "valeur en double",
        ),
        id="one-step-key-in-two-stages",
    ),
    pytest.param(
        Reject(case(put("etapes[1].cle", "diagnostic")), "etapes[1].cle", "valeur en double"),
        id="two-stages-with-one-key",
    ),
    # Validation rules
    pytest.param(
        Reject(
            case(put("etapes[0].validation.regle", "quorum")),
            "etapes[0].validation.quorum",
            "la règle quorum demande le champ quorum",
        ),
        id="quorum-rule-without-a-quorum",
    ),
    pytest.param(
        Reject(
            case(
                put("etapes[0].validation.regle", "quorum"), put("etapes[0].validation.quorum", 3)
            ),
            "etapes[0].validation.quorum",
            "quorum supérieur aux 2 validations possibles",
        ),
        id="quorum-above-the-possible-validations",
    ),
    pytest.param(
        Reject(
            case(
                add(
                    "indicateurs",
                    {"cle": "confiance", "libelle": "Confiance", "type": "qualitatif", "cible": 3},
                )
            ),
            "indicateurs[0].cible",
            "un indicateur qualitatif s'exprime en cible_texte",
        ),
        id="qualitative-indicator-with-a-number",
    ),
    pytest.param(
        Reject(
            case(
                add(
                    "indicateurs",
                    {"cle": "ca", "libelle": "CA", "type": "quantitatif", "cible": float("nan")},
                )
            ),
            "indicateurs[0].cible",
            "un nombre fini est attendu",
        ),
        id="indicator-target-not-a-number",
    ),
    # YAML itself
    pytest.param(
        Reject(BILLION_LAUGHS, "", "les alias YAML (*nom) ne sont pas acceptés"),
        id="billion-laughs",
    ),
    pytest.param(
        Reject(replaced("titre:", "titre: Doublon\ntitre:"), "titre", "clé en double : titre"),
        id="duplicate-key",
    ),
    pytest.param(
        Reject(
            replaced("  nom: DLA de test\n", "  nom: DLA de test\n  nom: Encore\n"),
            "organisations[0].nom",
            "clé en double : nom",
        ),
        id="duplicate-key-in-an-organisation",
    ),
    pytest.param(
        Reject(replaced("titre: ", "titre: [non fermé\n"), "", "YAML invalide"), id="invalid-yaml"
    ),
    pytest.param(
        Reject(replaced("  nom: DLA", "\tnom: DLA"), "", "tabulation interdite"),
        id="tab-indentation",
    ),
    pytest.param(
        Reject(text().encode() + b"---\ntitre: autre\n", "", "un seul document"), id="two-documents"
    ),
    pytest.param(
        Reject(text().encode("latin-1", "replace"), "", "encodé en UTF-8"), id="latin-1-file"
    ),
    pytest.param(
        Reject(replaced("titre: Poste", "titre: \x07Poste"), "", "caractère interdit"),
        id="control-character",
    ),
    pytest.param(
        Reject(text().encode(), "", "fichier trop gros", max_bytes=200),
        id="file-over-the-size-limit",
    ),
    pytest.param(Reject(b"", "", "le fichier est vide"), id="empty-file"),
    pytest.param(Reject(b"# rien\n", "", "le fichier est vide"), id="comments-only"),
    pytest.param(
        Reject(yaml.safe_dump([case_data()]).encode(), "", "bloc de champs"), id="top-level-list"
    ),
    pytest.param(
        Reject(replaced("titre:", "<<: {titre: x}\ntitre:"), "", "fusions YAML"), id="merge-key"
    ),
    pytest.param(
        Reject(replaced("titre:", "12: douze\ntitre:"), "", "clé non textuelle : 12"),
        id="number-as-a-key",
    ),
    pytest.param(
        Reject(replaced("titre:", "? [a, b]\n: c\ntitre:"), "", "clé non textuelle"),
        id="list-as-a-key",
    ),
    pytest.param(
        Reject(
            replaced("titre: Poste", "titre: !!python/object/apply:os.system [ls] #"),
            "",
            "YAML invalide",
        ),
        id="python-tag",
    ),
    pytest.param(
        Reject(replaced("titre: Poste", "titre: " + "[" * 5000 + "]" * 5000 + " #"), "", "YAML"),
        id="deeply-nested-lists",
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

    assert "fichier illisible" in raised.value.problems[0].message


def test_a_folder_is_reported_as_unreadable(tmp_path: Path):
    with pytest.raises(CaseFileError) as raised:
        load_case_file(tmp_path)

    assert "fichier illisible" in raised.value.problems[0].message


def _write(directory: Path, content: dict | bytes) -> Path:
    if isinstance(content, dict):
        return write_case(directory, content)
    path = directory / "cas.yaml"
    path.write_bytes(content)
    return path
