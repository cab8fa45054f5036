"""Desk accounts: create, list, disable; passwords hashed with argon2 (pwdlib)."""

import secrets
from functools import lru_cache

from sqlmodel import Session, func, select

from dla.calendar import is_departement
from dla.clock import Clock
from dla.settings import get_settings
from models import User, UserRole


class UserError(ValueError):
    """A bad account request: nothing was written."""


def hasher():
    """Return the password hasher: argon2id at the cost the settings give."""
    settings = get_settings()
    return _argon2(settings.password_time_cost, settings.password_memory_cost)


@lru_cache
def _argon2(time_cost: int, memory_cost: int):
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost),))


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return hasher().hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Check a password against its stored hash."""
    return hasher().verify(password, stored)


# Verified against when the e-mail is unknown, so that the answer takes as long either way.
_DUMMY: list[str] = []


def dummy_verify(password: str) -> None:
    """Spend the time of a real verification (unknown accounts must not answer faster)."""
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(password, _DUMMY[0])


def generate_password() -> str:
    """Return a random password fit to be printed once (about 100 bits)."""
    return secrets.token_urlsafe(16)


def find_user(email: str, *, session: Session) -> User | None:
    """Return the account of an e-mail address (case-insensitive), if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def add_user(
    *,
    session: Session,
    clock: Clock,
    email: str,
    name: str,
    role: UserRole,
    password: str,
    departements: list[str] = (),
) -> User:
    """Create an account; refuse a duplicate e-mail, a short password, a bad département."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise UserError(f"adresse e-mail invalide : {email!r}")
    if not name.strip():
        raise UserError("le nom est obligatoire")
    if len(password) < 12:
        raise UserError("mot de passe trop court : 12 caractères au moins")
    departements = [d.strip().upper() for d in departements if d.strip()]
    wrong = [d for d in departements if not is_departement(d)]
    if wrong:
        raise UserError(f"département inconnu : {', '.join(wrong)}")
    if role is UserRole.coordination and not departements:
        raise UserError("un compte « coordination » nomme au moins un département (--departement)")
    if find_user(email, session=session) is not None:
        raise UserError(f"un compte existe déjà pour {email}")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        departements=departements,
        password_hash=hash_password(password),
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def list_users(*, session: Session) -> list[User]:
    """Return every account, by e-mail."""
    return list(session.exec(select(User).order_by(User.email)))


def disable_user(email: str, *, session: Session) -> User:
    """Disable an account: its sessions stop at their next request, its .ics feed at once."""
    user = find_user(email, session=session)
    if user is None:
        raise UserError(f"aucun compte pour {email.strip().lower()}")
    user.active = False
    user.calendar_token = None
    session.add(user)
    return user


def count_users(*, session: Session) -> int:
    """Return how many accounts exist."""
    return session.exec(select(func.count()).select_from(User)).one()


def new_calendar_token(user: User, *, session: Session) -> str:
    """Give the account a new .ics subscription secret (the previous URL stops working)."""
    user.calendar_token = secrets.token_urlsafe(32)
    session.add(user)
    return user.calendar_token
