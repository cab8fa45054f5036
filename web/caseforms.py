"""The coordinator's forms on a case page: each POST runs one action of `dla.actions`.

Every form carries the CSRF token (`form_post`) and the case revision it was drawn from; a
refusal shows the case page again with the typed values and each error next to its field,
nothing written; a success goes back to the page (303) with the outcome as a message.
"""

from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.actions import (
    ActionRefused,
    Actor,
    FieldProblem,
    advance_after,
    mark_task_done,
    mark_task_not_done,
    read_day,
)
from dla.clock import Clock, FixedClock
from dla.db import transaction
from web.casepage import FormState, case_view, visible_case
from web.guard import current_user, desk, form_post
from web.render import case_url


def desk_clock(request: Request) -> Clock:
    """Return the clock actions are dated by: the desk's reference day when set."""
    state = desk(request)
    day = state.settings.desk_today
    return FixedClock.on(day) if day else state.clock


def optional_day(form: dict, field: str, name: str) -> date | None:
    """Read an optional date field typed JJ/MM/AAAA (empty: None)."""
    text = (form.get(field) or "").strip()
    return read_day(text, field=field, name=name) if text else None


def act(request: Request, form: dict, *, form_id: str, anchor: str, action: Callable) -> Response:
    """Run `action(session=, clock=, actor=, revision=)` for the signed-in person.

    Only a person who may see the case acts on it (404 otherwise, as its page); the form's
    revision must be the case's current one.
    """
    state = desk(request)
    reference = request.path_params["reference"]
    clock = desk_clock(request)
    with Session(state.engine, expire_on_commit=False) as session:
        user = current_user(request, session)
        if user is None:
            return RedirectResponse(f"/connexion?suite={quote(case_url(reference))}", 303)
        request.state.user = user
        visible_case(reference, user, session=session)
    try:
        with transaction(state.engine) as session:
            outcome = action(
                session=session,
                clock=clock,
                actor=Actor(user.name, "bureau"),
                revision=_revision(form),
            )
    except ActionRefused as exc:
        with Session(state.engine, expire_on_commit=False) as session:
            case = visible_case(reference, user, session=session)
            kept = {k: v for k, v in form.items() if k not in ("csrf", "revision")}
            return case_view(request, session, case, FormState(form_id, kept, exc.by_field()), 400)
    if outcome.changed:
        advance_after(state.engine, reference, clock)
    request.session["message"] = outcome.summary
    return RedirectResponse(f"{case_url(reference)}#{anchor}", 303)


def _revision(form: dict) -> int:
    try:
        return int(form.get("revision", ""))
    except ValueError:
        raise ActionRefused(
            [FieldProblem(None, "formulaire sans révision du cas : rechargez la page")]
        ) from None


@form_post
def task_done(request: Request, form: dict) -> Response:
    """Mark a task done (on the day typed, today by default)."""
    stage, task = request.path_params["stage"], request.path_params["task"]

    def action(**kw):
        day = optional_day(form, "fait_le", "date de réalisation")
        return mark_task_done(request.path_params["reference"], stage, task, done_on=day, **kw)

    return act(request, form, form_id=f"faite:{stage}:{task}", anchor="etapes", action=action)


@form_post
def task_undo(request: Request, form: dict) -> Response:
    """Put a task marked done back to do."""
    stage, task = request.path_params["stage"], request.path_params["task"]

    def action(**kw):
        return mark_task_not_done(request.path_params["reference"], stage, task, **kw)

    return act(request, form, form_id=f"a-faire:{stage}:{task}", anchor="etapes", action=action)
