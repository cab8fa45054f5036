"""The coordinator's decision form on a case page: a board's decision on a stage's gate.

One form for each board a gate still awaits: date (JJ/MM/AAAA), decision, the new date of a
postponement, reserves, and the minutes as a PDF. The decision goes through
`record_validation` (channel "bureau", the signed-in person's name), then takes effect at
once (web/takeeffect.py): the waiting run is resumed, or the case advances.
"""

from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.actions import ActionRefused, Actor
from dla.actions.decisions import TypedDecision, decide
from dla.db import transaction
from dla.frenchtext import fr_date, label
from web.casedocs import signed_person
from web.caseforms import form_revision
from web.casepage import FormState, case_view, visible_case
from web.guard import desk, desk_clock
from web.render import case_url
from web.takeeffect import after_decision
from web.uploads import upload_post

# The form's own fields: a refusal about anything else (the case, the stage, the board) is
# shown above the form.
FIELDS = ("date", "decision", "report_au", "commentaire", "pv")


def form_id(stage: str, structure: str, instance: str) -> str:
    """Name one board's decision form on the page (where its values and errors go back)."""
    return f"decision:{stage}:{structure or '-'}:{instance}"


@upload_post
def decision(request: Request, fields: dict, files: dict) -> Response:
    """Record the decision of the board the form is for; errors come back beside the fields."""
    state = desk(request)
    reference, stage = request.path_params["reference"], request.path_params["stage"]
    typed = TypedDecision(
        structure=fields.get("structure", ""),
        instance=fields.get("instance", ""),
        decided_on=fields.get("date", ""),
        decision=fields.get("decision", ""),
        postponed_to=fields.get("report_au", ""),
        comment=fields.get("commentaire", ""),
    )
    user = signed_person(request, reference)
    if user is None:
        return RedirectResponse(f"/connexion?suite={quote(case_url(reference))}", 303)
    clock = desk_clock(request)
    try:
        with transaction(state.engine) as session:
            _, entry, new = decide(
                reference, stage, typed, minutes=files.get("pv"), session=session, clock=clock,
                actor=Actor(user.name, "bureau"), settings=state.settings,
                revision=form_revision(fields),
            )  # fmt: skip
    except ActionRefused as exc:
        errors: dict[str | None, list[str]] = {}
        for problem in exc.problems:
            errors.setdefault(problem.field if problem.field in FIELDS else None, []).append(
                problem.message
            )
        kept = {k: v for k, v in fields.items() if k not in ("csrf", "revision")}
        state_of = FormState(form_id(stage, typed.structure, typed.instance), kept, errors)
        with Session(state.engine) as session:
            case = visible_case(reference, user, session=session)
            return case_view(request, session, case, state_of, 400)
    words = f"{label(entry.decision)} le {fr_date(entry.decided_on)} ({label(entry.body)})"
    if not new:
        request.session["message"] = f"Décision déjà enregistrée : {words} ; inchangé"
    else:
        note = after_decision(state.engine, entry, clock)
        request.session["message"] = f"Décision enregistrée : {words}" + (
            f". {note}" if note else ""
        )
    return RedirectResponse(f"{case_url(reference)}#etapes", 303)
