"""Replace one person's address and name by a pseudonym in text and JSON values."""

import json
import re
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

# A reserved top-level domain (RFC 2606): a pseudonymous address can never be delivered.
ERASED_DOMAIN = "efface.example"
# Keys that hold the recipient's display name in a notification's payload.
RECIPIENT_NAME_KEYS = frozenset({"to_name", "recipient_name"})
# Characters that may touch an address without being part of it.
_LOCAL = r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~-"


class PrivacyRefused(ValueError):
    """A request on personal data that cannot be carried out (French message)."""


def normalise_address(email: str) -> str:
    """Return the lower-cased address, or refuse a malformed one."""
    value = (email or "").strip()
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise PrivacyRefused(
            f"adresse électronique invalide : {email!r} (attendu : prenom.nom@domaine.fr)"
        ) from None
    return value.lower()


def is_pseudonym(email: str | None) -> bool:
    """Tell whether an address is the pseudonym of an erased person (never written to)."""
    return bool(email) and email.lower().endswith("@" + ERASED_DOMAIN)


@dataclass(frozen=True)
class Erasure:
    """One person to erase: their address, the names seen with it, and their pseudonym."""

    email: str
    names: frozenset[str] = frozenset()
    # Random rather than a hash of the address: a hash would let anyone who knows the
    # address find the person again behind the pseudonym.
    alias: str = field(default_factory=lambda: f"personne-{secrets.token_hex(4)}")

    @property
    def alias_email(self) -> str:
        return f"{self.alias}@{ERASED_DOMAIN}"

    @property
    def pattern(self) -> re.Pattern:
        return re.compile(
            rf"(?<![{_LOCAL}]){re.escape(self.email)}(?![A-Za-z0-9-]|\.[A-Za-z0-9])", re.I
        )

    def mentions(self, value) -> bool:
        """Tell whether the address occurs in a text or anywhere in a JSON value."""
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return bool(self.pattern.search(text or ""))

    def text(self, value: str | None) -> str | None:
        """Replace the address in free text (names in free text are not ours to guess)."""
        return None if value is None else self.pattern.sub(self.alias_email, value)

    def document(self, value: str) -> str:
        """Replace the address, then the names seen beside it (longest first), in a text that
        shows the address: a document or a record about this person."""
        text = self.text(value)
        for name in sorted(self.names, key=len, reverse=True):
            text = text.replace(name, self.alias)
        return text

    def json(self, value, *, addressed: bool = False):
        """Replace the address everywhere, and the name where it sits beside the address.

        `addressed`: the value is the payload of a message to this person, whose
        recipient-name keys are theirs.
        """
        if isinstance(value, dict):
            here = any(isinstance(v, str) and v.lower() == self.email for v in value.values())
            return {
                k: self.alias
                if isinstance(v, str)
                and v in self.names
                and (here or (addressed and k in RECIPIENT_NAME_KEYS))
                else self.json(v, addressed=addressed)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.json(v, addressed=addressed) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
