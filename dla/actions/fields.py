"""Checks the people, measure and facts actions share: a choice in a vocabulary, an address,
a phone number, a number typed the French way, an erased address typed again."""

import math
import re
from enum import StrEnum

from pydantic import TypeAdapter, ValidationError
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError
from sqlmodel import Session, select

from dla.actions.base import FieldProblem, shown
from dla.casefile.fields import Siret, phone_number
from dla.privacy.forgotten import digest, forgotten_fields
from dla.privacy.scrub import is_pseudonym
from models import ForgottenAddress
from models.labels import label

FORGOTTEN = "adresse d'une personne effacée à sa demande (dla contact forget), qui ne peut revenir"
_SIRET = TypeAdapter(Siret)


def choice(
    value: str | None, vocabulary: type[StrEnum], *, field: str, name: str
) -> FieldProblem | None:
    """Return the refusal of a value outside `vocabulary` (naming each code and its label)."""
    if value in {v.value for v in vocabulary}:
        return None
    return FieldProblem(
        field,
        f"{name} inconnu : {shown(value)} ; attendu parmi : "
        + ", ".join(f"{v.value} ({label(v, vocabulary)})" for v in vocabulary),
    )


def read_email(
    text: str | None, *, field: str, name: str, session: Session
) -> tuple[str | None, FieldProblem | None]:
    """Return the address lower-cased, or why it is refused (malformed, erased, a pseudonym)."""
    value = (text or "").strip()
    try:
        address = validate_email(value)[1].lower() if len(value) <= 254 else None
    except (PydanticCustomError, ValueError):
        address = None
    if address is None:
        return None, FieldProblem(
            field, f"{name} invalide : {shown(value)} ; attendu : une adresse comme nom@domaine.fr"
        )
    if (
        is_pseudonym(address)
        or session.exec(
            select(ForgottenAddress.id).where(ForgottenAddress.digest == digest(address))
        ).first()
    ):
        return None, FieldProblem(
            field, f"{name} {shown(value)} : {FORGOTTEN} ; attendu : une autre adresse"
        )
    return address, None


def forgotten_texts(texts: dict[str, str | list | None], *, session: Session) -> list[FieldProblem]:
    """Refuse the typed texts (form field → text) that hold an erased person's address."""
    fields = forgotten_fields({k: v for k, v in texts.items() if v}, session=session)
    return [
        FieldProblem(
            path.split("[")[0],
            f"{path} : contient l'{FORGOTTEN} ; attendu : le texte sans cette adresse",
        )
        for path in fields
    ]


def read_phone(text: str, *, field: str) -> tuple[str | None, FieldProblem | None]:
    """Return a phone number written the usual way (04 76 12 34 56, +33476123456), or why not."""
    try:
        return phone_number(text), None
    except ValueError as exc:
        expected = str(exc).removesuffix(" est attendu")
        return None, FieldProblem(
            field, f"téléphone invalide : {shown(text)} ; attendu : {expected}"
        )


def read_siret(text: str, *, field: str) -> tuple[str | None, FieldProblem | None]:
    """Return the 14 digits of a SIRET, or why it is refused (as a case file would)."""
    try:
        return _SIRET.validate_python(text), None
    except ValidationError as exc:
        why = str(exc.errors()[0].get("ctx", {}).get("error") or "SIRET invalide")
        return None, FieldProblem(
            field, f"SIRET refusé : {shown(text)} ; {why} ; attendu : 14 chiffres"
        )


def read_number(
    value: str | float | int | None, *, field: str, name: str, unit: str | None = None
) -> tuple[float | None, FieldProblem | None]:
    """Read a number typed the French way ("12,5", "1 200"), its unit after it allowed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value or "").strip().replace("\u202f", " ").replace("\xa0", " ")
        if unit and text.endswith(unit):
            text = text[: -len(unit)].strip()
        compact = re.sub(r"(?<=\d) (?=\d{3}\b)", "", text).replace(",", ".")
        number = float(compact) if re.fullmatch(r"[-+]?\d+(\.\d+)?", compact) else None
    if number is None or not math.isfinite(number) or abs(number) > 1e12:
        expected = f"un nombre (ex. 12 ou 12,5){f' en {unit}' if unit else ''}"
        return None, FieldProblem(field, f"{name} invalide : {shown(value)} ; attendu : {expected}")
    return number, None


def number_text(value: float | None, unit: str | None = None) -> str:
    """Write a number the French way (12,5), with its unit."""
    if value is None:
        return "—"
    text = f"{value:g}".replace(".", ",")
    return f"{text} {unit}" if unit else text
