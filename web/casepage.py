"""A case's page and its documents, for the people allowed to see the case (404 otherwise)."""

import mimetypes
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from dla.access import visible_cases
from dla.actions.base import CHANNELS
from dla.actions.planning import owner_choices
from dla.attachments import case_attachments
from dla.boardlinks import case_links
from dla.casefile.export import export_case
from dla.deliverables import KINDS
from dla.deliverables.store import FOLDER
from dla.gates import FAVOURABLE, latest_decisions
from dla.portfolio import case_contacts, case_detail
from dla.settings import prefect_ui_url
from dla.vigilance import RULES
from models import Case, Deliverable, Notification, TimelineEvent, User, UserRole
from models.enums import AttachmentKind, NotificationStatus, PeriodKind, StageStatus, StepStatus
from models.labels import label
from web.guard import desk, signed_in, today
from web.render import page

TIMELINE_PAGE = 50


@dataclass
class FormState:
    """A form of the case page sent back: which one, what was typed, why it was refused."""

    id: str = ""
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # form field (None: the whole form) → messages


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def visible_case(reference: str, user: User, *, session: Session) -> Case:
    """Return the case if the person may see it; answer 404 otherwise (not 403: no leak)."""
    case = session.exec(
        select(Case).where(Case.reference == reference, visible_cases(user))
    ).first()
    if case is None:
        raise HTTPException(404)
    return case


@dataclass
class Task:
    step: object
    state: str  # "faite", "annulée", "en retard", "à faire"
    late: bool
    paused_from: date | None


def _tasks(detail, day: date, paused: dict[tuple[str, date], date]) -> dict[int, list[Task]]:
    closed = {s.id for s in detail.stages if s.status is StageStatus.close}
    tasks: dict[int, list[Task]] = {}
    for step in detail.steps:
        if step.status is StepStatus.faite:
            state, late = "faite", False
        elif step.status is StepStatus.annulee:
            state, late = "annulée", False
        else:
            late = step.due_date < day and step.stage_id not in closed
            state = "en retard" if late else "à faire"
        before = paused.get((step.key, step.due_date))
        tasks.setdefault(step.stage_id, []).append(Task(step, state, late, before))
    return tasks


def _gates(detail, day: date) -> dict[int, list[dict]]:
    """Each stage's awaited boards with their latest decision (or none yet)."""
    decisions: dict[int, list] = {}
    for v in detail.validations:
        decisions.setdefault(v.stage_id, []).append(v)
    gates: dict[int, list[dict]] = {}
    for r in detail.requirements:
        if r.step_id is not None:
            continue
        latest = latest_decisions(decisions.get(r.stage_id, []), day)
        org = detail.organisations.get(r.organisation_id)
        decision = latest.get((r.organisation_id, r.body))
        gates.setdefault(r.stage_id, []).append(
            {
                "body": r.body.value,
                "who": org.name if org else "coordination DLA",
                "structure": org.key if org else "",
                "decision": decision,
                # Still awaited: no favourable decision yet (a form to enter it is offered).
                "awaited": decision is None or decision.decision not in FAVOURABLE,
            }
        )
    return gates


def _vigilance(session: Session, case_id: int) -> list:
    """The findings of the case's latest vigilance review, with their level and section."""
    data = session.exec(
        select(TimelineEvent.data)
        .where(TimelineEvent.case_id == case_id, TimelineEvent.kind == "vigilance.reviewed")
        .order_by(col(TimelineEvent.id).desc())
        .limit(1)
    ).first()
    codes = set((data or {}).get("findings", []))
    return [rule for rule in RULES if rule.code in codes]


def _paused(session: Session, case_id: int) -> dict[tuple[str, date], date]:
    """Map (task key, deadline as moved by a pause) to the date it had before the pause."""
    paused: dict[tuple[str, date], date] = {}
    for data in session.exec(
        select(TimelineEvent.data).where(
            TimelineEvent.case_id == case_id, TimelineEvent.kind == "deadline.paused"
        )
    ):
        anchor = (data or {}).get("anchor") or ""
        if anchor.startswith("tache:") and data.get("before") and data.get("after"):
            after = date.fromisoformat(data["after"])
            paused[(anchor.removeprefix("tache:"), after)] = date.fromisoformat(data["before"])
    return paused


def _reminders(session: Session, case_id: int) -> dict[str, list[tuple[Notification, str]]]:
    by_recipient: dict[str, list[tuple[Notification, str]]] = {}
    for n in session.exec(
        select(Notification).where(Notification.case_id == case_id).order_by(Notification.due_at)
    ):
        state = label(n.status)
        if n.status is NotificationStatus.planned and (n.payload or {}).get("held"):
            state = "retenue (période en cours)"
        by_recipient.setdefault(n.recipient, []).append((n, state))
    return by_recipient


def _documents(session: Session, case_id: int) -> list[tuple[str, list[Deliverable]]]:
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.case_id == case_id)
        .order_by(Deliverable.kind, col(Deliverable.version).desc(), Deliverable.fmt)
    )
    grouped: dict[str, list[Deliverable]] = {}
    for d in rows:
        grouped.setdefault(d.kind, []).append(d)
    return [(KINDS[k].title if k in KINDS else k, docs) for k, docs in grouped.items()]


@signed_in
def case_page(request: Request, session: Session, user: User) -> Response:
    """The case: people, stages and tasks, gates, periods, vigilance, indicators, timeline,
    reminders, documents, the coordinator's forms, and the way to its runs in Prefect."""
    case = visible_case(request.path_params["reference"], user, session=session)
    return case_view(request, session, case)


def case_view(
    request: Request,
    session: Session,
    case: Case,
    form: FormState | None = None,
    status_code: int = 200,
    **forms,
) -> Response:
    """Render a case's page; `form` (an action) or `forms` (a document, a link) is a refused
    form, shown with its values and errors."""
    detail = case_detail(case.reference, session=session, timeline=False)
    day = today(request)
    try:
        number = max(1, int(request.query_params.get("journal", "1")))
    except ValueError:
        number = 1
    events_total = session.exec(
        select(func.count()).select_from(TimelineEvent).where(TimelineEvent.case_id == case.id)
    ).one()
    events = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.case_id == case.id)
        .order_by(col(TimelineEvent.at).desc(), col(TimelineEvent.id).desc())
        .limit(TIMELINE_PAGE)
        .offset((number - 1) * TIMELINE_PAGE)
    ).all()
    ui = prefect_ui_url()
    return page(
        request,
        "case.html",
        d=detail,
        today=day,
        contacts=case_contacts(case.id, session=session),
        tasks=_tasks(detail, day, _paused(session, case.id)),
        gates=_gates(detail, day),
        vigilance=_vigilance(session, case.id),
        reminders=_reminders(session, case.id),
        documents=_documents(session, case.id),
        attachments=case_attachments(case.id, session=session),
        attachment_kinds=list(AttachmentKind),
        board_links=case_links(case.id, session=session, today=day),
        events=events,
        journal=number,
        journal_pages=max(1, -(-events_total // TIMELINE_PAGE)),
        runs_url=f"{ui}/runs?flow-run-search={quote(case.reference)}" if ui else None,
        form=form or FormState(),
        owners=owner_choices(case, session=session),
        channels=CHANNELS,
        period_kinds=[(k.value, label(k)) for k in PeriodKind],
        message=request.session.pop("message", None) if form is None else None,
        status_code=status_code,
        forms={"piece": {"errors": {}, "values": {}}, "lien": {"errors": {}}} | forms,
    )


@signed_in
def download(request: Request, session: Session, user: User) -> Response:
    """Send one version of a document of a case the person may see; never a file elsewhere."""
    case = visible_case(request.path_params["reference"], user, session=session)
    doc = session.exec(
        select(Deliverable).where(
            Deliverable.id == request.path_params["document"], Deliverable.case_id == case.id
        )
    ).first()
    if doc is None:
        raise HTTPException(404)
    name = f"{case.reference}-{doc.kind}-v{doc.version}.{doc.fmt}"
    return _send(Path(desk(request).settings.var_dir), doc.path, doc.fmt, name)


@signed_in
def case_file(request: Request, session: Session, user: User) -> Response:
    """Send the case as its case file (YAML), to edit and load again (`dla case load`)."""
    case = visible_case(request.path_params["reference"], user, session=session)
    exported = export_case(case.reference, session=session)
    return Response(
        exported.text,
        media_type="application/yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{case.reference}.yaml"'},
    )


def _send(var_dir: Path, relative: str | None, fmt: str, name: str) -> Response:
    """Send a file of var/livrables/ as an attachment; anything else (or nothing) is a 404."""
    root = (var_dir / FOLDER).resolve()
    path = (var_dir / relative).resolve() if relative else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404)
    media = MEDIA_TYPES.get(fmt) or mimetypes.guess_type(path.name)[0]
    # An HTML document is served as an attachment too: never rendered on the desk's origin.
    return FileResponse(path, media_type=media or "application/octet-stream", filename=name)


def synthesis_versions(var_dir: Path) -> list[dict]:
    """Return the versions of the all-cases synthesis, newest first (from its manifest)."""
    from dla.deliverables import SYNTHESIS
    from dla.deliverables.store import manifest_versions

    rows = [
        {"fmt": fmt, "version": row["version"], "path": row["path"]}
        for fmt, versions in manifest_versions(var_dir, SYNTHESIS.key).items()
        for row in versions
    ]
    return sorted(rows, key=lambda r: (-r["version"], r["fmt"]))


@signed_in
def synthesis_download(request: Request, session: Session, user: User) -> Response:
    """Send a version of the all-cases synthesis: it reads every case, so admins only."""
    if user.role is not UserRole.admin:
        raise HTTPException(404)
    var_dir = Path(desk(request).settings.var_dir)
    fmt, version = request.path_params["fmt"], request.path_params["version"]
    row = next(
        (r for r in synthesis_versions(var_dir) if (r["fmt"], r["version"]) == (fmt, version)),
        None,
    )
    return _send(var_dir, row["path"] if row else None, fmt, f"synthese-v{version}.{fmt}")
