"""Check header values before they reach a message: refuse, never send."""

import unicodedata
from email.headerregistry import Address
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email


class MailError(ValueError):
    """A message that cannot be built; the French text says why."""


class HeaderRefused(MailError):
    """A header value that would let a message be forged or misrouted."""


def check_text(value: str, what: str) -> str:
    """Return a header text unchanged, or refuse it when it holds a line break or control char."""
    if not isinstance(value, str):
        raise HeaderRefused(f"{what} : texte attendu (valeur : {value!r})")
    for char in value:
        # Cc covers CR, LF, NUL, TAB…; Zl/Zp are Unicode line and paragraph separators.
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise HeaderRefused(
                f"{what} : retour à la ligne ou caractère de contrôle refusé dans un en-tête "
                f"(valeur : {value!r})"
            )
    return value


def check_address(address: str, what: str) -> str:
    """Return the normalised ASCII form of an e-mail address, or refuse it with the reason."""
    check_text(address, what)
    ascii_email, error = _validated(address)
    if error is not None:
        raise HeaderRefused(
            f"{what} : adresse électronique invalide (valeur : {address!r}) : {error}"
        )
    # An accented domain travels in its ASCII (IDNA) form; an accented local part cannot
    # travel without SMTPUTF8, and the email package would encode it as an invalid word.
    if ascii_email is None:
        raise HeaderRefused(
            f"{what} : adresse électronique non ASCII avant le @, non prise en charge "
            f"(valeur : {address!r})"
        )
    return ascii_email


# Cached: a sweep writes to the same people several times, and validating is not cheap.
@lru_cache(maxsize=4096)
def _validated(address: str) -> tuple[str | None, str | None]:
    """Return (ASCII form, None) or (None, the validator's reason) for an address."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, str(exc)
    return valid.ascii_email, None


def mailbox(address: str, name: str | None, what: str) -> Address:
    """Build a checked mailbox (display name and address) for a From or To header."""
    addr = check_address(address, f"{what} (adresse)")
    display = check_text(name, f"{what} (nom)").strip() if name else ""
    local, _, domain = addr.rpartition("@")
    return Address(display_name=display, username=local, domain=domain)


def parse_sender(value: str) -> Address:
    """Read a sender written `Nom <adresse>` or `adresse` into a checked mailbox."""
    what = f"expéditeur {value!r}"
    check_text(value, what)
    text = value.strip()
    if text.endswith(">") and "<" in text:
        name, _, address = text[:-1].rpartition("<")
        return mailbox(address.strip(), name.strip().strip('"').strip() or None, what)
    return mailbox(text, None, what)
