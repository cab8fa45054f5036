"""Constrained field types shared by case files and case templates."""

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from dla.calendar import DEPARTEMENT_PATTERN
from dla.clock import FIRST_DAY, LAST_DAY
from dla.refusals import FieldProblem, shown

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
ANCHOR_PATTERN = r"^(tache|debut|fin|validation):[a-z0-9][a-z0-9_-]{0,79}$"
# References end up in file paths (var/livrables/<reference>/): no dots, no slashes.
REFERENCE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"

# Control characters: Unicode category Cc (U+0000–001F and U+007F–009F: CR, LF, NUL, TAB…),
# Zl (U+2028) and Zp (U+2029), the line separators, and the bidi controls (U+061C, U+200E–200F,
# U+202A–202E, U+2066–2069) that reorder what is displayed after them: U+202E makes
# "rapport<U+202E>fdp.exe" read "rapportexe.pdf". One regular expression scans in C where a loop over
# unicodedata.category() cost ~1 ms a case file.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_BIDI_RE = re.compile(f"[{_BIDI}]")


def control_char(value: str, allowed: str = "") -> str | None:
    """Return the first line break, control or bidi character of `value` not in `allowed`."""
    return next((m[0] for m in _CONTROL_RE.finditer(value) if m[0] not in allowed), None)


def refused_char(char: str) -> str:
    """Name a character `control_char` found, in French, with its code point."""
    if _BIDI_RE.match(char):
        return f"caractère de contrôle du sens d'écriture (U+{ord(char):04X}) refusé"
    return f"retour à la ligne ou caractère de contrôle (U+{ord(char):04X}) refusé"


def one_line(value: str) -> str:
    """Refuse a line break, a control or a bidi character in a name or a title.

    Names and titles end up in e-mail headers (header injection), in PostgreSQL (no NUL) and on
    screens (a bidi override disguises what follows).
    """
    if (char := control_char(value)) is not None:
        raise ValueError(f"{refused_char(char)} : un texte d'une seule ligne est attendu")
    return value


def _plain_text(value: str) -> str:
    # Long texts may span lines (YAML block scalars) and hold tabs; nothing else invisible.
    if (char := control_char(value, "\n\t")) is not None:
        raise ValueError(f"{refused_char(char)} : à retirer du texte")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(one_line),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_plain_text),
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Anchor = Annotated[str, StringConstraints(pattern=ANCHOR_PATTERN)]
Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
TextList = Annotated[list[LongText], Field(max_length=50)]


FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year


def _no_number(value: Any) -> Any:
    # Pydantic would read 2006 as a Unix timestamp (1970-01-01): refuse numbers as dates.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("une date s'écrit AAAA-MM-JJ, pas un nombre")
    return value


def _plausible(value: date) -> date:
    # Keeps every computed date (offsets, follow-ups) far from date.max.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"une date entre {FIRST_YEAR} et {LAST_YEAR} est attendue")
    return value


Day = Annotated[date, BeforeValidator(_no_number), AfterValidator(_plausible)]


def _departement(value: Any) -> Any:
    # `departement: 57` in YAML is an int; `departement: 1` means "01".
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:02d}"
    return value


Departement = Annotated[
    str,
    BeforeValidator(_departement),
    StringConstraints(pattern=DEPARTEMENT_PATTERN),
]


def _siret_as_text(value: Any) -> Any:
    # `siret: 73282932000074` without quotes is an integer in YAML.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _siret(value: str) -> str:
    digits = re.sub(r"\s", "", value)
    if not re.fullmatch(r"\d{14}", digits):
        raise ValueError("un SIRET compte 14 chiffres")
    if digits.startswith("356000000"):
        valid = sum(int(d) for d in digits) % 5 == 0  # La Poste's establishments
    else:
        valid = _luhn(digits)
    if not valid:
        raise ValueError("SIRET invalide (clé de contrôle de Luhn fausse)")
    return digits


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


Siret = Annotated[str, BeforeValidator(_siret_as_text), AfterValidator(_siret)]


def phone_number(value: str) -> str:
    """Return a phone number written the usual way: 04 76 12 34 56, or +33476123456."""
    digits = re.sub(r"[\s.()-]", "", str(value))
    if re.fullmatch(r"0\d{9}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+\d{8,15}", digits):
        return digits
    raise ValueError(
        "un numéro de 10 chiffres commençant par 0 (04 76 12 34 56) ou international "
        "(+33 4 76 12 34 56) est attendu"
    )


# A number is refused, not read: YAML takes 0476123456 for an octal integer.
Phone = Annotated[str, StringConstraints(max_length=30), AfterValidator(phone_number)]


MAX_EMAIL = 254


def email_problem(
    text: str | None, *, field: str, name: str
) -> tuple[str | None, FieldProblem | None]:
    """Return an address as written (trimmed), or why it is not one (every door's words)."""
    value = (text or "").strip()
    try:
        address = _normalised_email(value) if len(value) <= MAX_EMAIL else None
    except (PydanticCustomError, ValueError):
        address = None
    if address is None:
        return None, FieldProblem(
            field, f"{name} invalide : {shown(value)} ; attendu : une adresse comme nom@domaine.fr"
        )
    return address, None


class Email(EmailStr):
    """`EmailStr` whose verdicts are remembered (the same addresses recur in every case file),
    refused in the words of the actions (`email_problem`)."""

    @classmethod
    def _validate(cls, input_value: str, /) -> str:
        address, problem = email_problem(input_value, field="email", name="adresse e-mail")
        if problem is not None:
            raise ValueError(problem.message)
        return address


@lru_cache(maxsize=4096)
def _normalised_email(value: str) -> str:
    # Refusals raise, and are not cached: their message is built again each time.
    return validate_email(value)[1]
