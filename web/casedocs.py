"""On a case's page: attach a document, download one, revoke a board's signed link."""

from pathlib import Path

from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from dla.actions.base import ActionRefused, Actor
from dla.attachments import attach_document, attachment_file
from dla.boardlinks import revoke_link
from dla.db import transaction
from dla.uploads import Upload
from models import Attachment, User
from web.casepage import case_view, visible_case
from web.guard import current_user, desk, desk_clock, form_post, signed_in
from web.render import case_url
from web.uploads import upload_post

CHANNEL = "bureau"
# The fields of each form, where their errors are shown; anything else goes above the form.
FIELDS = {"piece": ("fichier", "type", "titre"), "lien": ()}


def field_errors(exc: ActionRefused, form: str) -> dict[str, str]:
    """Group a refusal's messages by the form's fields (`general`: the form as a whole)."""
    errors: dict[str, list[str]] = {}
    for problem in exc.problems:
        where = problem.field if problem.field in FIELDS[form] else "general"
        errors.setdefault(where, []).append(problem.message)
    return {where: " ; ".join(messages) for where, messages in errors.items()}


def revision_of(fields: dict) -> int | None:
    """Return the case revision the form was made at (None when the form does not say)."""
    value = fields.get("revision", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def signed_person(request: Request, reference: str) -> User | None:
    """Return the signed-in person, after checking they may see the case (404 otherwise).

    Read in its own session: a refused write rolls back its own, not the person shown.
    """
    with Session(desk(request).engine, expire_on_commit=False) as session:
        user = current_user(request, session)
        if user is not None:
            request.state.user = user
            visible_case(reference, user, session=session)
        return user


@upload_post
def attach(request: Request, fields: dict, files: dict) -> Response:
    """Attach the uploaded document to the case; errors come back next to their field."""
    state = desk(request)
    reference = request.path_params["reference"]
    values = {"type": fields.get("type", ""), "titre": fields.get("titre", "")}
    user = signed_person(request, reference)
    if user is None:
        return RedirectResponse("/connexion", 303)
    try:
        with transaction(state.engine) as session:
            attach_document(
                reference,
                files.get("fichier") or Upload("", b""),
                kind=values["type"],
                title=values["titre"] or None,
                session=session,
                clock=desk_clock(request),
                actor=Actor(user.name, CHANNEL),
                settings=state.settings,
                revision=revision_of(fields),
            )
    except ActionRefused as exc:
        return _refused(
            request, reference, piece={"errors": field_errors(exc, "piece"), "values": values}
        )
    return RedirectResponse(f"{case_url(reference)}#pieces", 303)


@form_post
def revoke(request: Request, form: dict) -> Response:
    """Revoke one of the case's board links (it stops working at once)."""
    state = desk(request)
    reference, link = request.path_params["reference"], request.path_params["link"]
    if not link.isdigit() or len(link) > 12:
        raise HTTPException(404)
    user = signed_person(request, reference)
    if user is None:
        return RedirectResponse("/connexion", 303)
    try:
        with transaction(state.engine) as session:
            revoke_link(
                reference,
                int(link),
                session=session,
                clock=desk_clock(request),
                actor=Actor(user.name, CHANNEL),
                revision=revision_of(form),
            )
    except ActionRefused as exc:
        return _refused(request, reference, lien={"errors": field_errors(exc, "lien")})
    return RedirectResponse(f"{case_url(reference)}#liens", 303)


def _refused(request: Request, reference: str, **forms) -> Response:
    """Show the case page again with the refused form's errors (nothing was written)."""
    with Session(desk(request).engine) as session:
        case = visible_case(reference, request.state.user, session=session)
        return case_view(request, session, case, status_code=400, **forms)


@signed_in
def download(request: Request, session: Session, user: User) -> Response:
    """Send a document attached to a case the person may see, under the name it was given."""
    case = visible_case(request.path_params["reference"], user, session=session)
    row = session.exec(
        select(Attachment).where(
            Attachment.id == request.path_params["piece"], Attachment.case_id == case.id
        )
    ).first()
    path = attachment_file(Path(desk(request).settings.var_dir), row) if row else None
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type=row.media_type, filename=row.filename)
