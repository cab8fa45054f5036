"""The coordinator's forms on a case page: each POST runs one action of `dla.actions`.

Every form carries the CSRF token (`form_post`) and the case revision it was drawn from; a
refusal shows the case page again with the typed values and each error next to its field,
nothing written; a success goes back to the page (303) with the outcome as a message.
Whoever may see a case may act on it (the desk has no read-only role); others get a 404.
"""

from collections.abc import Callable
from datetime import date
from functools import partial
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.actions import (
    ActionRefused,
    Actor,
    FieldProblem,
    add_task,
    advance_after,
    end_period,
    mark_task_done,
    mark_task_not_done,
    move_deadline,
    read_day,
    start_period,
)
from dla.clock import Clock, FixedClock
from dla.db import transaction
from web.casepage import FormState, case_view, visible_case
from web.guard import current_user, desk, form_post
from web.liveartifacts import refresh_soon
from web.render import case_url


def desk_clock(request: Request) -> Clock:
    """Return the clock actions are dated by: the desk's reference day when set."""
    state = desk(request)
    day = state.settings.desk_today
    return FixedClock.on(day) if day else state.clock


def optional_day(form: dict, field: str, name: str) -> date | None:
    """Read an optional date field typed JJ/MM/AAAA (empty: None)."""
    return days(form, **{field: (name, False)})[field]


def days(form: dict, **fields: tuple[str, bool]) -> dict[str, date | None]:
    """Read the form's date fields (name → (French name, required)), typed JJ/MM/AAAA.

    Every bad date is reported at once; an empty optional one is None.
    """
    read, problems = {}, []
    for field, (name, required) in fields.items():
        text = (form.get(field) or "").strip()
        try:
            read[field] = read_day(text, field=field, name=name) if text or required else None
        except ActionRefused as exc:
            problems += exc.problems
    if problems:
        raise ActionRefused(problems)
    return read


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
                revision=form_revision(form),
            )
    except ActionRefused as exc:
        with Session(state.engine, expire_on_commit=False) as session:
            case = visible_case(reference, user, session=session)
            kept = {k: v for k, v in form.items() if k not in ("csrf", "revision")}
            return case_view(request, session, case, FormState(form_id, kept, exc.by_field()), 400)
    if outcome.changed:
        advance_after(state.engine, reference, clock)
        refresh_soon(state.engine, reference, clock.today())
    request.session["message"] = outcome.summary
    return RedirectResponse(f"{case_url(reference)}#{anchor}", 303)


def form_revision(form: dict) -> int:
    try:
        return int(form.get("revision", ""))
    except ValueError:
        raise ActionRefused(
            [FieldProblem(None, "formulaire sans révision du cas : rechargez la page")]
        ) from None


def endpoint(form_id: Callable[[dict], str], anchor: str, call: Callable) -> Callable:
    """Return the POST endpoint running `call(path_params, form, **frame)`; `form_id(path_params)`
    names the form on the page (where its errors and values go back)."""

    @form_post
    def handler(request: Request, form: dict) -> Response:
        params = request.path_params
        action = partial(call, params, form)
        return act(request, form, form_id=form_id(params), anchor=anchor, action=action)

    return handler


def _done(p, form, **kw):
    day = days(form, fait_le=("date de réalisation", False))["fait_le"]
    return mark_task_done(p["reference"], p["stage"], p["task"], done_on=day, **kw)


def _undo(p, form, **kw):
    return mark_task_not_done(p["reference"], p["stage"], p["task"], **kw)


def _move(p, form, **kw):
    to = days(form, echeance=("nouvelle échéance", True))["echeance"]
    reason = form.get("motif", "")
    return move_deadline(p["reference"], p["stage"], p.get("task"), to=to, reason=reason, **kw)


def _add(p, form, **kw):
    due = days(form, echeance=("échéance", True))["echeance"]
    fields = {k: form.get(f, "").strip() for k, f in (("key", "cle"), ("title", "titre"))}
    owner = form.get("responsable", "")
    return add_task(p["reference"], p["stage"], owner=owner, due_on=due, **fields, **kw)


def _start(p, form, **kw):
    read = days(form, debut=("début", False), fin=("fin prévue", True))
    return start_period(
        p["reference"],
        kind=form.get("type", ""),
        start_on=read["debut"],
        end_on=read["fin"],
        key=form.get("cle", "").strip() or None,
        note=form.get("note", "").strip() or None,
        **kw,
    )


def _end(p, form, **kw):
    day = days(form, fin=("date de fin", False))["fin"]
    return end_period(p["reference"], p["key"], end_on=day, **kw)


task_done = endpoint(lambda p: f"faite:{p['stage']}:{p['task']}", "etapes", _done)
task_undo = endpoint(lambda p: f"a-faire:{p['stage']}:{p['task']}", "etapes", _undo)
task_move = endpoint(lambda p: f"echeance:{p['stage']}:{p['task']}", "etapes", _move)
stage_move = endpoint(lambda p: f"fin:{p['stage']}", "etapes", _move)
task_add = endpoint(lambda p: f"ajout:{p['stage']}", "etapes", _add)
period_start = endpoint(lambda p: "periode", "periodes", _start)
period_end = endpoint(lambda p: f"fin-periode:{p['key']}", "periodes", _end)

# The routes of the case page's forms (web/app.py).
PATHS = {
    "/etapes/{stage}/taches/{task}/faite": task_done,
    "/etapes/{stage}/taches/{task}/a-faire": task_undo,
    "/etapes/{stage}/taches/{task}/echeance": task_move,
    "/etapes/{stage}/fin": stage_move,
    "/etapes/{stage}/taches": task_add,
    "/periodes": period_start,
    "/periodes/{key}/fin": period_end,
}
