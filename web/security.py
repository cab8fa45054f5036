"""The desk's protections: CSRF tokens, security headers, login throttling."""

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import LoginThrottle

# Content-Security-Policy: no inline script nor style, nothing from elsewhere, never framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the security headers (and no-store on pages) to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_headers)


def csrf_token(session: dict) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid(session: dict, submitted: str | None) -> bool:
    """Tell whether a form's token is the session's (constant-time comparison)."""
    expected = session.get("csrf")
    return bool(expected and submitted) and hmac.compare_digest(expected, submitted)


# Failed logins: an account locks after 5 within the window, an address after 20.
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)


def throttle_keys(email: str, address: str | None) -> dict[str, int]:
    """Return the throttle keys of a login attempt and each one's limit."""
    keys = {f"compte:{email.strip().lower()[:254]}": ACCOUNT_LIMIT}
    if address:
        keys[f"ip:{address}"] = ADDRESS_LIMIT
    return keys


def locked_until(keys: dict[str, int], *, session: Session, now: datetime) -> datetime | None:
    """Return until when a login with these keys is refused, if it is."""
    until = [
        t.locked_until
        for t in session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys))))
        if t.locked_until is not None and t.locked_until > now
    ]
    return max(until, default=None)


def record_failure(keys: dict[str, int], *, session: Session, now: datetime) -> None:
    """Count a failed login against each key; lock a key that reaches its limit."""
    table = LoginThrottle.__table__
    for key, limit in keys.items():
        row = session.get(LoginThrottle, key)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(LoginThrottle(key=key, failures=1, last_failure_at=now))
                continue
            except IntegrityError:  # another process counted the first failure meanwhile
                row = session.get(LoginThrottle, key)
        stale = row.last_failure_at < now - WINDOW
        # Counted in SQL (failures + 1): concurrent failures in two processes both count.
        count = 1 if stale else table.c.failures + 1
        session.execute(
            update(table).where(table.c.key == key).values(failures=count, last_failure_at=now)
        )
        session.execute(
            update(table)
            .where(table.c.key == key, table.c.failures >= limit)
            .values(locked_until=now + WINDOW)
        )
        session.expire(row)


def clear_failures(email: str, *, session: Session) -> None:
    """Forget an account's failures after a successful login (the address keeps its own)."""
    row = session.get(LoginThrottle, next(iter(throttle_keys(email, None))))
    if row is not None:
        session.delete(row)
