"""Who is asking: the signed-in person on each request, and CSRF-checked form posts."""

from collections.abc import Callable
from datetime import date
from functools import wraps
from urllib.parse import parse_qsl, quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.clock import Clock, FixedClock
from models import User
from web.security import csrf_valid

MAX_FORM_BYTES = 64 * 1024


def desk(request: Request):
    """Return the desk's state (settings, engine, clock) the app was built with."""
    return request.app.state.desk


def today(request: Request) -> date:
    """Return the day the desk counts from (DLA_DESK_TODAY, else the clock's)."""
    state = desk(request)
    return state.settings.desk_today or state.clock.today()


def desk_clock(request: Request) -> Clock:
    """Return the clock actions are recorded with: DLA_DESK_TODAY's day, else the desk's clock."""
    state = desk(request)
    return FixedClock.on(state.settings.desk_today) if state.settings.desk_today else state.clock


def current_user(request: Request, session: Session) -> User | None:
    """Return the signed-in, active account; forget a session whose account is gone or disabled."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        request.session.clear()
        return None
    return user


def signed_in(handler: Callable) -> Callable:
    """Run `handler(request, session, user)` for a signed-in person; others go to the login."""

    @wraps(handler)
    def endpoint(request: Request) -> Response:
        with Session(desk(request).engine, expire_on_commit=False) as session:
            user = current_user(request, session)
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/connexion?suite={quote(target, safe='')}", 303)
            request.state.user = user
            return handler(request, session, user)

    return endpoint


def form_post(handler: Callable) -> Callable:
    """Read a url-encoded form, refuse it without the session's CSRF token, then run
    `handler(request, form)` in a worker thread. Every POST route of the desk goes through it."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise HTTPException(413, "Formulaire trop volumineux.")
        try:
            # Blank fields kept: a field emptied on purpose (a fact cleared) is not a field left out.
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50))
        except (UnicodeDecodeError, ValueError):
            raise HTTPException(400, "Formulaire illisible.") from None
        if not csrf_valid(request.session, form.get("csrf")):
            raise HTTPException(403, "Formulaire expiré ou invalide : rechargez la page.")
        return await run_in_threadpool(handler, request, form)

    endpoint.csrf_protected = True
    return endpoint
