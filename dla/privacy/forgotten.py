"""Addresses erased at their owner's request, kept as digests: no case file brings them back."""

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime

from sqlmodel import Session, col, select

from models import ForgottenAddress

# An address anywhere in a text (a contact's field, a title, a note).
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def digest(email: str) -> str:
    """Return the digest kept for an erased address (normalised: trimmed, lower-case)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def remember_forgotten(email: str, *, session: Session, at: datetime) -> None:
    """Record that `email` was erased (once)."""
    value = digest(email)
    known = session.exec(select(ForgottenAddress.id).where(ForgottenAddress.digest == value))
    if known.first() is None:
        session.add(ForgottenAddress(digest=value, forgotten_at=at))


def forgotten_fields(
    document: dict, *, session: Session, known: set[str] | None = None
) -> list[str]:
    """Return the field paths of `document` that hold an erased address (one query).

    `known`: every digest kept (`forgotten_digests`), read once for many documents.
    """
    if known is not None and not known:
        return []
    paths: dict[str, list[str]] = {}
    for path, text in _texts(document):
        for address in _ADDRESS.findall(text):
            paths.setdefault(digest(address), []).append(path)
    if not paths:
        return []
    if known is not None:
        return sorted({p for d in paths if d in known for p in paths[d]})
    found = session.exec(
        select(ForgottenAddress.digest).where(col(ForgottenAddress.digest).in_(list(paths)))
    )
    return sorted({p for d in found for p in paths[d]})


def forgotten_digests(*, session: Session) -> set[str]:
    """Return every digest kept (a few rows: people erased at their request)."""
    return set(session.exec(select(ForgottenAddress.digest)))


def _texts(value, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value
