"""Checks the people, measure and facts actions share: a choice in a vocabulary, an address,
a phone number, a number typed the French way, an erased address typed again."""

from enum import StrEnum

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, select

from dla.actions.base import FieldProblem, shown
from dla.casefile.fields import Siret, email_problem, phone_number
from dla.inputs import erased_email, erased_in_text
from dla.privacy.forgotten import digest, forgotten_fields
from dla.privacy.scrub import is_pseudonym
from models import ForgottenAddress
from models.labels import label

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
    address, problem = email_problem(text, field=field, name=name)
    if problem is not None:
        return None, problem
    address = address.lower()
    if (
        is_pseudonym(address)
        or session.exec(
            select(ForgottenAddress.id).where(ForgottenAddress.digest == digest(address))
        ).first()
    ):
        return None, erased_email(text or "", field=field, name=name)
    return address, None


def forgotten_texts(texts: dict[str, str | list | None], *, session: Session) -> list[FieldProblem]:
    """Refuse the typed texts (form field → text) that hold an erased person's address."""
    fields = forgotten_fields({k: v for k, v in texts.items() if v}, session=session)
    return [erased_in_text(path, field=path.split("[")[0]) for path in fields]


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


def number_text(value: float | None, unit: str | None = None) -> str:
    """Write a number the French way (12,5), with its unit."""
    if value is None:
        return "—"
    text = f"{value:g}".replace(".", ",")
    return f"{text} {unit}" if unit else text
