"""Problems found in a case file, each naming the file, the field, the value and the rule."""

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from dla.calendar import DEPARTEMENT_PATTERN


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: Any = None
    line: int | None = None

    def render(self, file: str) -> str:
        """Return the one-line French message shown to the user."""
        where = f"{file}:{self.line}" if self.line else file
        field = self.path or "(document)"
        return f"{where} : {field} : {self.message}{value_shown(self.message, self.value)}"


def value_shown(message: str, value: Any) -> str:
    """Return " (valeur : …)" to follow a message, unless it already quotes the value."""
    if value is None or repr(value) in message:
        return ""
    return f" (valeur : {_short(value)})"


class FieldValueError(ValueError):
    """A rule broken inside a block, reported on one of its fields rather than on the block."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class CaseFileError(Exception):
    """A case file that cannot be loaded; carries every problem found."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.render(file) for p in problems))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _choices(expected: str) -> str:
    # Pydantic lists enum values in English: "'a', 'b' or 'c'".
    values = re.findall(r"'([^']*)'", expected)
    return ", ".join(values[:-1]) + f" ou {values[-1]}" if len(values) > 1 else expected


def format_path(loc: tuple) -> str:
    """Turn ("etapes", 0, "taches", 1, "echeance") into "etapes[0].taches[1].echeance"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PATTERNS = {
    DEPARTEMENT_PATTERN: "un numéro de département (01 à 95, 2A, 2B, 971 à 974 ou 976)",
    "^[a-z0-9][a-z0-9_-]{0,79}$": "une clé en minuscules, chiffres, - ou _ (ex. dispo-services)",
    "^(tache|debut|fin|validation):[a-z0-9][a-z0-9_-]{0,79}$": (
        "une ancre tache:CLE, debut:ETAPE, fin:ETAPE ou validation:ETAPE"
    ),
    "^[A-Z0-9][A-Z0-9-]{2,39}$": "une référence en majuscules, chiffres et tirets (ex. DLA38-2006-01)",
    "^(@membres|[a-z0-9][a-z0-9_-]{0,79})$": "une clé d'organisation ou @membres",
}

_DATE_OR_ANCHOR = "une date AAAA-MM-JJ ou un bloc {apres, delai, unite} est attendu"

_MESSAGES = {
    "missing": lambda ctx: "champ obligatoire manquant",
    "extra_forbidden": lambda ctx: (
        "champ inconnu (voir « dla case schema » pour les champs permis)"
    ),
    "enum": lambda ctx: f"valeur attendue parmi : {_choices(ctx.get('expected', ''))}",
    "string_type": lambda ctx: "un texte est attendu",
    "string_too_short": lambda ctx: "le texte ne peut pas être vide",
    "string_too_long": lambda ctx: f"texte trop long (au plus {ctx.get('max_length')} caractères)",
    "string_pattern_mismatch": lambda ctx: (
        "attendu : " + _PATTERNS.get(ctx.get("pattern", ""), f"le motif {ctx.get('pattern')}")
    ),
    "int_type": lambda ctx: "un nombre entier est attendu",
    "int_parsing": lambda ctx: "un nombre entier est attendu",
    "int_from_float": lambda ctx: "un nombre entier est attendu",
    "float_type": lambda ctx: "un nombre est attendu",
    "float_parsing": lambda ctx: "un nombre est attendu",
    "finite_number": lambda ctx: "un nombre fini est attendu",
    "bool_type": lambda ctx: "oui ou non (true / false) est attendu",
    "bool_parsing": lambda ctx: "oui ou non (true / false) est attendu",
    "date_type": lambda ctx: "une date AAAA-MM-JJ est attendue",
    "date_parsing": lambda ctx: "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": lambda ctx: "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_inexact": lambda ctx: "une date AAAA-MM-JJ est attendue",
    "list_type": lambda ctx: "une liste est attendue",
    "model_type": lambda ctx: "un bloc de champs (clé: valeur) est attendu",
    "model_attributes_type": lambda ctx: "un bloc de champs (clé: valeur) est attendu",
    "dict_type": lambda ctx: "un bloc de champs (clé: valeur) est attendu",
    "too_short": lambda ctx: f"au moins {ctx.get('min_length')} élément(s) attendu(s)",
    "too_long": lambda ctx: f"au plus {ctx.get('max_length')} éléments",
    "greater_than_equal": lambda ctx: f"une valeur au moins égale à {ctx.get('ge')} est attendue",
    "less_than_equal": lambda ctx: f"une valeur au plus égale à {ctx.get('le')} est attendue",
    "union_tag_invalid": lambda ctx: _DATE_OR_ANCHOR,
    "union_tag_not_found": lambda ctx: _DATE_OR_ANCHOR,
}


def from_validation_error(error: ValidationError, lines: dict[tuple, int]) -> list[Problem]:
    """Translate pydantic's errors into French problems with paths and line numbers."""
    problems = []
    for item in error.errors(include_url=False):
        # Tags of tagged unions ("~date", "~ancre") are not fields: drop them from the path.
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("~")))
        kind, ctx = item["type"], item.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, FieldValueError):
            loc, message = (*loc, cause.field), str(cause)
        elif kind == "value_error" and "reason" in ctx:
            # email-validator's reasons are in English: keep the French verdict only.
            message = "adresse e-mail invalide"
        elif kind == "value_error":
            message = str(cause if cause is not None else item["msg"]).removeprefix("Value error, ")
        else:
            translate = _MESSAGES.get(kind)
            message = translate(ctx) if translate else f"valeur refusée ({item['msg']})"
        value = item.get("input")
        if isinstance(cause, FieldValueError) and isinstance(value, dict):
            value = value.get(cause.field)
        elif kind == "missing" or isinstance(value, dict):
            value = None
        problems.append(Problem(format_path(loc), message, value, _line_for(loc, lines)))
    return problems


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())
