"""Malformed case files are refused with every problem, each naming the file, the field and the rule."""

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.casefile.schema import Journey
from dla.cli import app
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from dla.opening import open_from_file
from tests.factories import case_data, save_case, snapshot, write_case

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
    # The load day, for defects relative to it; False when `dla case load`, which loads on the
    # real day, cannot see this one.
    today: date | None = None
    by_the_command: bool = True


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


# The day the opening test below loads its files on.
LOAD_DAY = date(2024, 1, 5)


def on_load_day(name: str, content: dict, path: str, fragment: str, by_the_command=True):
    return pytest.param(
        Reject(content, path, fragment, today=LOAD_DAY, by_the_command=by_the_command), id=name
    )


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
        "fin prévue 1er février 2024 avant le début ; attendu : le 1er mars 2024 ou après",
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

DECISION = {
    "structure": "aci-un",
    "instance": "conseil_administration",
    "decision": "validee",
    "date": "2024-02-01",
}
CONTACT = {"email": "direction@aci-un.example.org", "role": "direction", "organisation": "aci-un"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"

# Issue 8: more doors of the same kind, one defect each.
REJECTS += [
    # Wrong types
    row("reference-given-as-a-number", case(put("reference", 12345)), "reference", "un texte"),
    row("departement-given-as-a-decimal", case(put("departement", 38.0)), "departement", "texte"),
    row(
        "forms-of-mutualisation-given-as-text",
        case(put("mutualisations", "poste_partage")),
        "mutualisations",
        "une liste est attendue",
    ),
    row(
        "organisations-given-as-a-block",
        case(put("organisations", {"cle": "dla-test"})),
        "organisations",
        "une liste est attendue",
    ),
    row(
        "contact-given-as-text",
        case(put("contacts[1]", "presidence@aci-un.example.org")),
        "contacts[1]",
        "un bloc de champs",
    ),
    row(
        "yes-no-flag-given-as-a-word",
        case(put("contacts[1].resume_seul", "peut-être")),
        "contacts[1].resume_seul",
        "oui ou non",
    ),
    row(
        "siret-given-as-a-decimal",
        case(put("organisations[1].siret", 73282932000074.0)),
        "organisations[1].siret",
        "un texte est attendu",
    ),
    row("phase-given-as-a-word", case(put("etapes[0].phase", "deux")), "etapes[0].phase", "entier"),
    # Unknown fields
    row(
        "unknown-field-in-a-step",
        case(put("etapes[0].taches[0].priorite", "haute")),
        "etapes[0].taches[0].priorite",
        "champ inconnu",
    ),
    row(
        "unknown-field-in-a-relative-deadline",
        case(put("etapes[0].taches[0].echeance.jours", 3)),
        "etapes[0].taches[0].echeance.jours",
        "champ inconnu",
    ),
    # Impossible or out-of-range dates
    row("impossible-date-quoted", case(put("debut", "2023-02-30")), "debut", "AAAA-MM-JJ"),
    row(
        "impossible-date-of-a-decision",
        case(add("etapes[0].decisions", {**DECISION, "date": "2024-02-30"})),
        "etapes[0].decisions[0].date",
        "une date AAAA-MM-JJ est attendue",
    ),
    row("date-with-a-time", case(put("debut", "2024-01-08T10:00:00")), "debut", "AAAA-MM-JJ"),
    row("date-after-2100", case(put("debut", "2200-01-01")), "debut", "une date entre 1990"),
    row(
        "step-done-in-1900",
        case(put("etapes[0].taches[0].fait_le", "1900-01-01")),
        "etapes[0].taches[0].fait_le",
        "une date entre 1990 et 2100",
    ),
    row(
        "offset-landing-past-2100",
        case(
            put("etapes[0].taches[0].echeance.delai", 3650),
            put("etapes[0].taches[0].echeance.unite", "mois"),
        ),
        "etapes[0].taches[0].echeance",
        "date calculée hors limites",
    ),
    # Negative, zero or huge durations
    row(
        "period-of-zero-days",
        case(add("periodes", {**PERIOD, "duree": 0})),
        "periodes[0].duree",
        "au moins égale à 1",
    ),
    row(
        "period-of-negative-days",
        case(add("periodes", {**PERIOD, "duree": -3})),
        "periodes[0].duree",
        "au moins égale à 1",
    ),
    row(
        "delay-of-a-million-days",
        case(put("etapes[0].taches[0].echeance.delai", 10**6)),
        "etapes[0].taches[0].echeance.delai",
        "au plus égale à 3650",
    ),
    row(
        "negative-grace-period",
        case(put("etapes[0].validation.delai_grace", -1)),
        "etapes[0].validation.delai_grace",
        "au moins égale à 0",
    ),
    row("follow-up-at-month-zero", case(put("suivis", [0])), "suivis[0]", "au moins égale à 1"),
    row("phase-zero", case(put("etapes[0].phase", 0)), "etapes[0].phase", "au moins égale à 1"),
    row(
        "reminder-announced-a-hundred-million-days-ahead",
        case(put("relances", {"suivi_avant": 10**8})),
        "relances.suivi_avant",
        "au plus égale à 120",
    ),
    row(
        "reminder-after-its-deadline",
        case(put("relances", {"echeance_proche": [7, -5]})),
        "relances.echeance_proche[1]",
        "entre 0 et 60",
    ),
    # Unknown template, département
    row("template-given-as-a-path", case(put("modele", "../fusion")), "modele", "une clé"),
    row("departement-given-as-a-name", case(put("departement", "Isère")), "departement", "numéro"),
    row("departement-975", case(put("departement", "975")), "departement", "numéro de département"),
    # Duplicates
    row(
        "two-contacts-with-one-address",
        case(add("contacts", {**CONTACT, "email": "Presidence@aci-un.example.org"})),
        "contacts[4].email",
        "valeur en double",
    ),
    row(
        "one-organisation-twice-a-member",
        case(add("membres", {"organisation": "aci-un", "role": "membre"})),
        "membres[3].organisation",
        "valeur en double",
    ),
    row(
        "two-periods-with-one-key",
        case(
            add("periodes", {**PERIOD, "duree": 5}),
            add("periodes", {**PERIOD, "debut": date(2024, 5, 2), "duree": 9}),
        ),
        "periodes[1].cle",
        "valeur en double",
    ),
    # References that would name a path, or cannot be stored
    row("reference-with-a-slash", case(put("reference", "DLA38/2006-01")), "reference", "majus"),
    row("reference-with-a-backslash", case(put("reference", "DLA38\\2006")), "reference", "majus"),
    row("reference-dot-dot", case(put("reference", "..")), "reference", "une référence"),
    row("reference-with-a-nul", case(put("reference", "DLA38\x002006")), "reference", "majus"),
    row("reference-of-200-characters", case(put("reference", "DLA" + "9" * 197)), "reference", "m"),
    row("empty-reference", case(put("reference", "")), "reference", "une référence en majuscules"),
    # E-mail addresses
    row(
        "address-with-two-at-signs",
        case(put("contacts[1].email", "presidence@@aci-un.example.org")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    row(
        "address-with-a-space",
        case(put("contacts[1].email", "pres idence@aci-un.example.org")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    row(
        "address-without-a-dotted-domain",
        case(put("contacts[1].email", "presidence@localhost")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    row(
        "coordination-address-malformed",
        case(put("coordination", "coordination.dla-test.example.org")),
        "coordination",
        "adresse e-mail invalide",
    ),
    row(
        "address-of-300-characters",
        case(put("contacts[1].email", "p" * 300 + "@aci-un.example.org")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    # Header injection: names and addresses end up in e-mail headers
    row(
        "address-with-crlf-and-bcc",
        case(put("contacts[1].email", "presidence@aci-un.example.org\r\nBcc: x@evil.example")),
        "contacts[1].email",
        "adresse e-mail invalide",
    ),
    row(
        "contact-name-with-crlf-and-bcc",
        case(put("contacts[1].nom", "Élise\r\nBcc: x@evil.example")),
        "contacts[1].nom",
        "retour à la ligne ou caractère de contrôle (U+000D)",
    ),
    row(
        "organisation-name-with-a-line-feed",
        case(put("organisations[1].nom", "ACI Un\nSubject: gagné")),
        "organisations[1].nom",
        "un texte d'une seule ligne est attendu",
    ),
    row(
        "title-with-a-unicode-line-separator",
        case(put("titre", "Poste\u2028partagé")),
        "titre",
        "(U+2028) refusé",
    ),
    row("title-with-a-nul", case(put("titre", "Poste\x00partagé")), "titre", "(U+0000) refusé"),
    # Bidi controls: they make a text read differently from what it holds (issue 15)
    row(
        "title-with-a-right-to-left-override",
        case(put("titre", "Poste partagé \u202efdp.exe")),
        "titre",
        "caractère de contrôle du sens d'écriture (U+202E) refusé",
    ),
    row(
        "task-title-with-a-right-to-left-mark",
        case(put("etapes[0].taches[0].titre", "Note \u200fremise")),
        "etapes[0].taches[0].titre",
        "(U+200F) refusé",
    ),
    row(
        "contact-name-with-a-first-strong-isolate",
        case(put("contacts[1].nom", "Élise \u2068Martin")),
        "contacts[1].nom",
        "(U+2068) refusé",
    ),
    row(
        "perimeter-with-a-left-to-right-embedding",
        case(put("perimetre", "Deux SIAE\u202a du bassin")),
        "perimetre",
        "sens d'écriture (U+202A) refusé",
    ),
    row(
        "comment-with-a-nul",
        case(add("etapes[0].decisions", {**DECISION, "commentaire": "vu\x00"})),
        "etapes[0].decisions[0].commentaire",
        "commentaire : caractère de contrôle refusé ('vu\\x00')",  # as dla validate says it
    ),
    # Decisions
    row(
        "decision-by-an-unknown-body",
        case(add("etapes[0].decisions", {**DECISION, "instance": "assemblee"})),
        "etapes[0].decisions[0].instance",
        "valeur attendue parmi : conseil_administration",
    ),
    row(
        "decision-of-an-unknown-kind",
        case(add("etapes[0].decisions", {**DECISION, "decision": "peut-etre"})),
        "etapes[0].decisions[0].decision",
        "valeur attendue parmi : validee",
    ),
    row(
        "decision-by-a-structure-outside-the-case",
        case(add("etapes[0].decisions", {**DECISION, "structure": "cabinet-bis"})),
        "etapes[0].decisions[0].structure",
        "structure absente du cas : 'cabinet-bis' ; attendu parmi : aci-un, ai-deux, cabinet",
    ),
    row(
        "decision-on-an-unknown-step",
        case(add("etapes[0].decisions", {**DECISION, "tache": "inconnue"})),
        "etapes[0].decisions[0].tache",
        "tâche inconnue dans cette étape",
    ),
    row(
        "decision-on-an-unknown-stage",
        case(add("etapes", {"cle": "comite-final", "decisions": [DECISION]})),
        "etapes[2].cle",
        "étape inconnue (absente du modèle",
    ),
    # Oversized content
    row("title-of-5000-characters", case(put("titre", "x" * 5000)), "titre", "texte trop long"),
    row(
        "five-thousand-members",
        case(put("membres", [{"organisation": "aci-un", "role": "membre"} for _ in range(5000)])),
        "membres",
        "au plus 500 éléments",
    ),
    row(
        "file-over-one-megabyte",
        text().encode() + b"# " + b"x" * 1_100_000 + b"\n",
        "",
        "fichier trop gros",
    ),
    # Files that are not YAML case files
    row("png-image", PNG, "", "encodé en UTF-8"),
    row("utf-16-file", text().encode("utf-16"), "", "encodé en UTF-8"),
    row("nul-byte-in-the-file", replaced("titre: Poste", "titre: Po\x00ste"), "", "interdit"),
    row("whitespace-only", b"  \n\n   \n", "", "le fichier est vide"),
    row("plain-sentence", b"Ceci n'est pas un fichier de cas.\n", "", "bloc de champs"),
    row("recursive-alias", b"a: &a [*a]\n", "", "les alias YAML (*nom) ne sont pas acceptés"),
    row(
        "alias-of-a-scalar",
        replaced("titre: Poste", "titre: &t Poste") + b"perimetre_bis: *t\n",
        "",
        "les alias YAML",
    ),
    row(
        "duplicate-key-in-a-step",
        replaced("    responsable: coordination\n", "    responsable: coordination\n" * 2),
        "etapes[0].taches[0].responsable",
        "clé en double : responsable",
    ),
]

# Issue 15: a decision of the file is checked as `dla validate` checks one (dla/validations.py).
REJECTS += [
    on_load_day(
        "decision-dated-2099",
        case(add("etapes[0].decisions", {**DECISION, "date": "2099-06-01"})),
        "etapes[0].decisions[0].date",
        "date de décision dans le futur : le 1er juin 2099 (nous sommes le 5 janvier 2024)",
    ),
    on_load_day(
        "decision-after-the-load-day",
        case(add("etapes[0].decisions", {**DECISION, "date": "2024-01-06"})),
        "etapes[0].decisions[0].date",
        "date de décision dans le futur : le 6 janvier 2024",
        by_the_command=False,
    ),
]


@pytest.mark.parametrize("reject", REJECTS)
def test_a_malformed_case_file_is_refused_naming_the_field_and_the_rule(
    tmp_path: Path, reject: Reject
):
    path = _write(tmp_path, reject.content)

    with pytest.raises(CaseFileError) as raised:
        load_case_file(path, max_bytes=reject.max_bytes, today=reject.today)

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


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    fifo = tmp_path / "cas.yaml"
    os.mkfifo(fifo)

    outcome: list = []

    def load() -> None:
        try:
            load_case_file(fifo)
        except CaseFileError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # before the fix: open() waits for a writer; give it one to end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert not reader.is_alive() and outcome, "le chargement attend un écrivain sur le tube"
    assert outcome[0].problems[0].message == (
        "fichier illisible : ce n'est pas un fichier ordinaire (tube, périphérique ou socket)"
    )


def _write(directory: Path, content: dict | bytes) -> Path:
    if isinstance(content, dict):  # named apart from its reference, which may be hostile
        return write_case(directory, content, name="cas.yaml")
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


# --- Nothing changes in the database: through dla.opening and through `dla case load` ----------


def _content(reject: Reject) -> bytes:
    return text(reject.content).encode() if isinstance(reject.content, dict) else reject.content


@pytest.mark.slow
def test_no_malformed_case_file_opened_from_the_cases_folder_changes_the_database(
    engine, tmp_path: Path
):
    save_case(engine, tmp_path)
    folder = tmp_path / "cas"
    folder.mkdir()
    before = snapshot(engine)
    loaded = []
    for param in REJECTS:
        (reject,) = param.values
        name = f"{param.id}.yaml"
        (folder / name).write_bytes(_content(reject))
        try:
            with transaction(engine) as session:
                open_from_file(
                    name,
                    folder,
                    reject.max_bytes,
                    session=session,
                    clock=FixedClock.on(LOAD_DAY),
                    actor="test",
                )
        except CaseFileError as exc:
            assert exc.file.endswith(name), param.id
        else:
            loaded.append(param.id)
        assert snapshot(engine) == before, param.id
    assert loaded == []


@pytest.mark.slow
def test_the_command_loads_nothing_from_a_batch_of_malformed_files(dla_env, tmp_path: Path):
    cli = CliRunner()
    assert cli.invoke(app, ["init"]).exit_code == 0
    assert cli.invoke(app, ["case", "load", str(write_case(tmp_path))]).exit_code == 0
    engine = make_engine(dla_env)
    before = snapshot(engine)
    paths = []
    for param in REJECTS:
        (reject,) = param.values
        # The command reads with the default limit, on the real day.
        if reject.max_bytes == Reject.max_bytes and reject.by_the_command:
            paths.append(tmp_path / f"{param.id}.yaml")
            paths[-1].write_bytes(_content(reject))

    result = cli.invoke(app, ["case", "load", *map(str, paths)])

    assert result.exit_code == 2
    assert "aucun fichier n'a été chargé" in result.output
    assert [
        p.name for p in paths if f"{p} " not in result.output and f"{p}:" not in result.output
    ] == []
    assert snapshot(engine) == before
    engine.dispose()
