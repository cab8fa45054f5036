"""The case page's forms on the case itself: its facts, the consultant's days, its end."""

from starlette.requests import Request
from starlette.responses import Response

from dla.actions.budget import set_budget_days
from dla.actions.closing import abandon_case, close_case
from dla.actions.facts import edit_facts
from web.caseforms import act
from web.guard import form_post
from web.measureforms import text

# The facts the desk's form shows (the others stay as the case file says).
FIELDS = (
    "titre",
    "perimetre",
    "objectifs_strategiques",
    "attendus_operationnels",
    "contexte.demande_initiale",
    "contexte.analyse",
    "contexte.historique_cooperation",
    "contexte.enjeux",
    "contexte.socle_strategique",
    "contexte.valeurs",
    "contexte.points_de_blocage",
    "contexte.atouts",
    "contexte.resultats",
    "contexte.perspectives",
)


@form_post
def facts(request: Request, form: dict) -> Response:
    """Replace the facts of the form (a field cleared: the fact removed)."""
    changes = {name: text(form, name) for name in FIELDS if name in form}

    def action(**kw):
        return edit_facts(request.path_params["reference"], changes, **kw)

    return act(request, form, form_id="faits", anchor="faits", action=action)


@form_post
def budget(request: Request, form: dict) -> Response:
    """Set the consultant's days of a task."""

    def action(**kw):
        return set_budget_days(
            request.path_params["reference"],
            form.get("tache", ""),
            terrain=form.get("terrain"),
            cabinet=form.get("cabinet"),
            **kw,
        )

    return act(request, form, form_id="budget", anchor="faits", action=action)


@form_post
def close(request: Request, form: dict) -> Response:
    """Close the case, for a reason."""

    def action(**kw):
        return close_case(request.path_params["reference"], reason=text(form, "motif"), **kw)

    return act(request, form, form_id="fin", anchor="fin", action=action)


@form_post
def abandon(request: Request, form: dict) -> Response:
    """Abandon the case, for a reason."""

    def action(**kw):
        return abandon_case(request.path_params["reference"], reason=text(form, "motif"), **kw)

    return act(request, form, form_id="fin", anchor="fin", action=action)
