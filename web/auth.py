"""Log in and out: argon2-checked passwords, throttled failures, a fresh session each time."""

from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.db import transaction
from dla.users import dummy_verify, find_user, verify_password
from web.guard import current_user, desk, form_post
from web.render import page
from web.security import clear_failures, csrf_token, locked_until, record_failure, throttle_keys

REFUSED = "Adresse ou mot de passe incorrect, ou compte désactivé."


def safe_next(target: str | None) -> str:
    """Keep a post-login destination on this site (a path, never //host or a scheme)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def login_page(request: Request) -> Response:
    """Show the login form (a signed-in person goes straight to their day)."""
    with Session(desk(request).engine) as session:
        if current_user(request, session) is not None:
            return RedirectResponse("/", 303)
    csrf_token(request.session)
    return page(request, "login.html", suite=safe_next(request.query_params.get("suite")), error="")


@form_post
def login(request: Request, form: dict) -> Response:
    """Check the password; count failures per account and address; lock after too many."""
    state = desk(request)
    email = form.get("email", "").strip().lower()[:254]
    password = form.get("password", "")[:1000]
    address = request.client.host if request.client else None
    keys = throttle_keys(email, address)
    now = datetime.now().astimezone()  # real time: a lock-out protects, the replay day does not
    suite = safe_next(form.get("suite"))
    with transaction(state.engine) as session:
        until = locked_until(keys, session=session, now=now)
        if until is not None:
            minutes = max(1, round((until - now).total_seconds() / 60))
            message = f"Trop d'essais infructueux : réessayez dans {minutes} minute(s)."
            return page(request, "login.html", 429, suite=suite, error=message)
        user = find_user(email, session=session) if email else None
        if user is None:
            dummy_verify(password)  # an unknown address takes as long as a known one
        ok = user is not None and user.active and verify_password(password, user.password_hash)
        if not ok:
            record_failure(keys, session=session, now=now)
        else:
            clear_failures(email, session=session)
            user_id = user.id
    if not ok:
        return page(request, "login.html", 401, suite=suite, error=REFUSED)
    # A new session on login: a token planted before cannot ride it (session fixation).
    request.session.clear()
    request.session["user_id"] = user_id
    csrf_token(request.session)
    return RedirectResponse(suite, 303)


@form_post
def logout(request: Request, form: dict) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/connexion", 303)
