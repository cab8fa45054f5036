"""The case page's forms on members and contacts: each POST runs one action of `dla.actions`.

A blank optional field leaves the fact as it is; "Modifier aussi pour les autres cas" is the
confirmation a change to an organisation or a person other cases share needs.
"""

from starlette.requests import Request
from starlette.responses import Response

from dla.actions.contacts import set_contact, set_contact_role
from dla.actions.members import set_member
from web.caseforms import act
from web.guard import form_post


def given(form: dict, name: str) -> str | None:
    """Return a typed field, None when left blank (the stored value stands)."""
    value = (form.get(name) or "").strip()
    return value or None


def confirmed(form: dict) -> bool:
    """Tell whether the person confirmed a change to data other cases share."""
    return form.get("modifier_partage") == "oui"


@form_post
def member(request: Request, form: dict) -> Response:
    """Add a structure to the case with a role, or change its role or facts."""

    def action(**kw):
        return set_member(
            request.path_params["reference"],
            (form.get("organisation") or "").strip(),
            role=form.get("role", ""),
            name=given(form, "nom"),
            kind=given(form, "type"),
            siae=given(form, "siae"),
            siret=given(form, "siret"),
            update_shared=confirmed(form),
            **kw,
        )

    return act(request, form, form_id="membre", anchor="membres", action=action)


@form_post
def member_role(request: Request, form: dict) -> Response:
    """Change a member's role in this case."""
    key = request.path_params["organisation"]

    def action(**kw):
        return set_member(request.path_params["reference"], key, role=form.get("role", ""), **kw)

    return act(request, form, form_id=f"role-membre:{key}", anchor="membres", action=action)


@form_post
def contact(request: Request, form: dict) -> Response:
    """Add a person to the case, or change their part or their facts."""

    def action(**kw):
        return set_contact(
            request.path_params["reference"],
            form.get("email", ""),
            organisation=given(form, "organisation"),
            role=given(form, "role"),
            name=given(form, "nom"),
            phone=given(form, "telephone"),
            new_email=given(form, "nouvelle_adresse"),
            update_shared=confirmed(form),
            **kw,
        )

    return act(request, form, form_id="contact", anchor="membres", action=action)


@form_post
def contact_role(request: Request, form: dict) -> Response:
    """Change the role and organisation a person holds in this case."""
    email = form.get("email", "")

    def action(**kw):
        return set_contact_role(
            request.path_params["reference"],
            email,
            role=form.get("role", ""),
            organisation=given(form, "organisation"),
            **kw,
        )

    return act(request, form, form_id=f"role-contact:{email}", anchor="membres", action=action)
