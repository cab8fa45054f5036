"""Forms that carry a file (multipart): read within a size limit, CSRF checked, then handled."""

from collections.abc import Callable
from functools import wraps

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dla.uploads import Upload, size_text
from web.guard import MAX_FORM_BYTES, desk
from web.security import csrf_valid

MAX_FIELDS = 20


async def read_upload_form(request: Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """Return a form's text fields and its files; a body past the size setting is a 413.

    The body is read (bounded) before it is parsed: a file slightly over the limit still
    reaches the core, which refuses it in the words every door uses.
    """
    limit = desk(request).settings.max_attachment_bytes
    too_big = HTTPException(413, f"Fichier trop volumineux : au plus {size_text(limit)}.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MAX_FORM_BYTES:
        raise too_big
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + MAX_FORM_BYTES:
            raise too_big

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    buffered = Request(request.scope, replay)
    try:
        form = await buffered.form(max_files=2, max_fields=MAX_FIELDS)
    except HTTPException:  # what Starlette raises for a malformed or oversized multipart
        raise HTTPException(400, "Formulaire illisible.") from None
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                if value.filename or content:  # an empty file input sends neither
                    files[name] = Upload(value.filename or "", content)
            else:
                fields[name] = value
    finally:
        await form.close()
    return fields, files


def upload_post(handler: Callable) -> Callable:
    """Read a form with files, refuse it without the session's CSRF token, then run
    `handler(request, fields, files)` in a worker thread (the desk's forms that carry a file)."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        fields, files = await read_upload_form(request)
        if not csrf_valid(request.session, fields.get("csrf")):
            raise HTTPException(403, "Formulaire expiré ou invalide : rechargez la page.")
        return await run_in_threadpool(handler, request, fields, files)

    endpoint.csrf_protected = True
    return endpoint
