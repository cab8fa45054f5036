"""A board's signed link: what it is asked to decide, the decision form, the documents to read.

No account and no session: the token in the address is the key. The form's CSRF token is an
HMAC of the link's token, so a page of another site cannot post to it.
"""

import hashlib
import hmac
from pathlib import Path

from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from dla.actions.base import ActionRefused
from dla.attachments import attachment_file
from dla.boardanswer import BoardAnswer, answer_link, board_view
from dla.boardlinks import LinkRefused, open_link
from dla.db import transaction
from dla.secret import secret_key
from models import Attachment, Deliverable
from models.enums import AttachmentKind, Decision
from web.casepage import _send
from web.guard import desk, desk_clock, today
from web.render import public_page
from web.takeeffect import after_decision
from web.uploads import read_upload_form

FIELDS = ("date", "decision", "report_au", "commentaire", "signataire", "pv")


def link_csrf(secret: str, token: str) -> str:
    """Return the form token bound to a link (no session to keep one in)."""
    return hmac.new(secret.encode(), f"csrf-lien:{token}".encode(), hashlib.sha256).hexdigest()


def _secret(request: Request) -> str:
    return secret_key(desk(request).settings)


def refused_page(request: Request, exc: LinkRefused) -> Response:
    """Say in French why the link does not work (nothing was written)."""
    return public_page(request, "board_refused.html", exc.status, message=exc.message)


def _form_page(request: Request, token: str, session: Session, status=200, **form) -> Response:
    secret = _secret(request)
    view = board_view(token, session=session, secret=secret, today=today(request))
    return public_page(
        request,
        "board.html",
        status,
        v=view,
        token=token,
        csrf=link_csrf(secret, token),
        decisions=list(Decision),
        errors=form.get("errors", {}),
        values=form.get("values", {}),
    )


def board_page(request: Request) -> Response:
    """Show the stage, the documents to read and the decision form."""
    token = request.path_params["token"]
    with Session(desk(request).engine) as session:
        try:
            return _form_page(request, token, session)
        except LinkRefused as exc:
            return refused_page(request, exc)


async def answer(request: Request) -> Response:
    """Check the form's link-bound token, then record the decision (in a worker thread)."""
    token = request.path_params["token"]
    fields, files = await read_upload_form(request)
    submitted = fields.get("csrf", "")
    if not hmac.compare_digest(link_csrf(_secret(request), token), submitted):
        raise HTTPException(403, "Formulaire expiré ou invalide : rechargez la page.")
    return await run_in_threadpool(_answer, request, token, fields, files)


answer.csrf_protected = True


def _answer(request: Request, token: str, fields: dict, files: dict) -> Response:
    state, clock = desk(request), desk_clock(request)
    form = BoardAnswer(
        decided_on=fields.get("date", ""),
        decision=fields.get("decision", ""),
        postponed_to=fields.get("report_au", ""),
        remarks=fields.get("commentaire", ""),
        signed_by=fields.get("signataire", ""),
    )
    try:
        with transaction(state.engine) as session:
            validation, entry = answer_link(
                token,
                form,
                session=session,
                clock=clock,
                secret=_secret(request),
                settings=state.settings,
                minutes=files.get("pv"),
            )
    except LinkRefused as exc:
        return refused_page(request, exc)
    except ActionRefused as exc:
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            errors.setdefault(p.field if p.field in FIELDS else "general", []).append(p.message)
        values = {k: v for k, v in fields.items() if k in FIELDS}
        with Session(state.engine) as session:
            try:
                return _form_page(
                    request, token, session, 400,
                    errors={k: " ; ".join(v) for k, v in errors.items()}, values=values,
                )  # fmt: skip
            except LinkRefused as refused:
                return refused_page(request, refused)
    # The decision takes effect now (the gate may pass), as `dla validate` does; documents of a
    # stage this opens are rendered by the next daily pass, not in this request.
    deferred = after_decision(state.engine, entry, clock) is not None
    return public_page(request, "board_done.html", validation=validation, deferred=deferred)


def deliverable(request: Request) -> Response:
    """Send a document of the link's stage (the link must still be valid)."""
    state = desk(request)
    with Session(state.engine) as session:
        try:
            link = _valid(request, session)
        except LinkRefused as exc:
            return refused_page(request, exc)
        doc = session.exec(
            select(Deliverable).where(
                Deliverable.id == request.path_params["document"],
                Deliverable.case_id == link.case_id,
                Deliverable.stage_id == link.stage_id,
            )
        ).first()
    if doc is None:
        raise HTTPException(404)
    name = f"{doc.kind}-v{doc.version}.{doc.fmt}"
    return _send(Path(state.settings.var_dir), doc.path, doc.fmt, name)


def attachment(request: Request) -> Response:
    """Send a document attached to the link's stage (not the minutes of other boards)."""
    state = desk(request)
    with Session(state.engine) as session:
        try:
            link = _valid(request, session)
        except LinkRefused as exc:
            return refused_page(request, exc)
        row = session.exec(
            select(Attachment).where(
                Attachment.id == request.path_params["piece"],
                Attachment.case_id == link.case_id,
                Attachment.stage_id == link.stage_id,
                Attachment.kind != AttachmentKind.proces_verbal,
            )
        ).first()
    path = attachment_file(Path(state.settings.var_dir), row) if row else None
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type=row.media_type, filename=row.filename)


def _valid(request: Request, session: Session):
    return open_link(
        request.path_params["token"], session=session, secret=_secret(request), today=today(request)
    )
