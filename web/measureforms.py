"""The case page's forms on indicators and follow-ups: a measure, a follow-up recorded."""

from starlette.requests import Request
from starlette.responses import Response

from dla.actions.followups import record_follow_up
from dla.actions.measures import record_measure
from web.caseforms import act, optional_day
from web.guard import form_post

PREFIX = "mesure_"


def text(form: dict, name: str) -> str:
    """Return a typed text with the browser's line ends (CR LF) made plain (LF)."""
    return (form.get(name) or "").replace("\r\n", "\n")


@form_post
def measure(request: Request, form: dict) -> Response:
    """Record an indicator's measured value."""
    key = request.path_params["indicator"]

    def action(**kw):
        day = optional_day(form, "mesure_le", "date de mesure")
        return record_measure(
            request.path_params["reference"], key, value=text(form, "valeur"), measured_on=day, **kw
        )

    return act(request, form, form_id=f"mesure:{key}", anchor="indicateurs", action=action)


@form_post
def follow_up(request: Request, form: dict) -> Response:
    """Record a follow-up with the indicators measured then (the fields left blank: none)."""

    def action(**kw):
        measures = {
            name.removeprefix(PREFIX): text(form, name)
            for name in form
            if name.startswith(PREFIX) and text(form, name).strip()
        }
        return record_follow_up(
            request.path_params["reference"],
            form.get("mois", ""),
            done_on=optional_day(form, "fait_le", "date du suivi"),
            summary=text(form, "resume"),
            measures=measures,
            **kw,
        )

    return act(request, form, form_id="suivi", anchor="indicateurs", action=action)
