"""The desk's pages: Aujourd'hui, Cas (with its exports), Calendrier and its .ics feed."""

import csv
import io
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_
from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dla.access import visible_cases
from dla.agenda import DAY_PAGE_LIMIT, Day, agenda, calendar_events, days
from dla.calendar import add_months
from dla.caselist import (
    HEADERS,
    PER_PAGE,
    Filters,
    choices,
    departements,
    export_rows,
    list_cases,
)
from dla.db import transaction
from dla.inbox import inbox
from dla.mail.ics import build_ics
from dla.users import new_calendar_token
from models import Case, User, UserRole
from web.casepage import synthesis_versions
from web.guard import desk, form_post, signed_in, today
from web.render import page

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@signed_in
def today_page(request: Request, session: Session, user: User) -> Response:
    """Aujourd'hui: overdue, upcoming, awaited validations, periods, follow-ups, failures."""
    day = today(request)
    sections = inbox(session=session, visible=visible_cases(user), today=day)
    return page(request, "today.html", sections=sections, today=day)


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        return 1


@signed_in
def cases_page(request: Request, session: Session, user: User) -> Response:
    """Cas: the filtered, paged list of the cases the person may see."""
    filters = Filters.from_query(request.query_params)
    number = _page_number(request)
    visible = visible_cases(user)
    listed, total = list_cases(
        session=session, visible=visible, filters=filters, today=today(request), page=number
    )
    pages = max(1, -(-total // PER_PAGE))
    query = filters.query()
    return page(
        request,
        "cases.html",
        listed=listed,
        total=total,
        number=number,
        pages=pages,
        filters=filters,
        query=query,
        page_query=lambda n: urlencode(query | {"page": n}),
        choices=choices(session=session, visible=visible),
        export_query=urlencode(query),
        syntheses=synthesis_versions(desk(request).settings.var_dir)
        if user.role is UserRole.admin
        else [],
    )


def _export(request: Request, session: Session, user: User) -> tuple[list[list], str]:
    filters = Filters.from_query(request.query_params)
    listed, _ = list_cases(
        session=session,
        visible=visible_cases(user),
        filters=filters,
        today=today(request),
        page=None,
    )
    return export_rows(listed), f"cas-{today(request).isoformat()}"


def _cell(value) -> str:
    """Write a CSV cell; a text a spreadsheet would run as a formula is quoted first."""
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@signed_in
def cases_csv(request: Request, session: Session, user: User) -> Response:
    """The filtered list as CSV (UTF-8 with BOM, semicolons: what French spreadsheets read)."""
    rows, name = _export(request, session, user)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


@signed_in
def cases_xlsx(request: Request, session: Session, user: User) -> Response:
    """The filtered list as an XLSX workbook (openpyxl)."""
    from openpyxl import Workbook

    rows, name = _export(request, session, user)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cas")
    sheet.append(HEADERS)
    for row in rows:
        # Text cells never become formulas: openpyxl writes "=…" strings as formulas.
        sheet.append([_cell(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )


def _month(request: Request) -> date:
    text = request.query_params.get("mois", "")
    try:
        return datetime.strptime(text, "%Y-%m").date().replace(day=1)
    except ValueError:
        return today(request).replace(day=1)


def _departement(request: Request, offered: list[str]) -> str:
    chosen = request.query_params.get("departement", "").strip().upper()
    return chosen if chosen in offered else ""


def _day(request: Request) -> date | None:
    try:
        return date.fromisoformat(request.query_params.get("jour", ""))
    except ValueError:
        return None


@signed_in
def calendar_page(request: Request, session: Session, user: User) -> Response:
    """Calendrier: a month of deadlines, board meetings, periods and follow-ups (a few per
    day, the rest counted and listed on the day's own page), optionally of one département."""
    visible = visible_cases(user)
    offered = departements(session=session, visible=visible)
    departement = _departement(request, offered)
    if departement:
        visible = and_(visible, Case.departement == departement)
    day, chosen = today(request), _day(request)
    if chosen is not None:
        events = days(session=session, visible=visible, first=chosen, last=chosen, today=day,
                      cap=DAY_PAGE_LIMIT).get(chosen, Day())  # fmt: skip
        return page(request, "calendar_day.html", day=chosen, events=events, today=day,
                    departement=departement, offered=offered, limit=DAY_PAGE_LIMIT,
                    month=chosen.strftime("%Y-%m"))  # fmt: skip
    first = _month(request)
    last = add_months(first, 1) - timedelta(days=1)
    weeks, cursor = [], first - timedelta(days=first.weekday())
    while cursor <= last:
        weeks.append([cursor + timedelta(days=i) for i in range(7)])
        cursor += timedelta(days=7)
    by_day = days(
        session=session, visible=visible, first=weeks[0][0], last=weeks[-1][-1], today=day
    )
    feed = None
    if user.calendar_token:
        feed = f"{desk(request).settings.resolved_public_url}/ics/{user.calendar_token}.ics"
    return page(
        request,
        "calendar.html",
        first=first,
        month_name=f"{MONTHS[first.month - 1]} {first.year}",
        month=first.strftime("%Y-%m"),
        previous=add_months(first, -1).strftime("%Y-%m"),
        following=add_months(first, 1).strftime("%Y-%m"),
        weeks=weeks,
        by_day=by_day,
        today=day,
        feed=feed,
        departement=departement,
        offered=offered,
        suffix=f"&departement={departement}" if departement else "",
    )


@form_post
def new_feed(request: Request, form: dict) -> Response:
    """Give the person a new .ics address (the previous one stops answering)."""
    state = desk(request)
    with transaction(state.engine) as session:
        user_id = request.session.get("user_id")
        user = session.get(User, user_id) if isinstance(user_id, int) else None
        if user is None or not user.active:
            return RedirectResponse("/connexion", 303)
        if form.get("action") == "revoquer":
            user.calendar_token = None
            session.add(user)
        else:
            new_calendar_token(user, session=session)
    return RedirectResponse("/calendrier#abonnement", 303)


def ics_feed(request: Request) -> Response:
    """The personal subscription: read-only, from 3 months back to a year ahead."""
    token = request.path_params["token"].removesuffix(".ics")
    state = desk(request)
    with Session(state.engine) as session:
        user = (
            session.exec(select(User).where(User.calendar_token == token, User.active)).first()
            if len(token) >= 32
            else None
        )
        if user is None:
            raise HTTPException(404)
        day = today(request)
        items = agenda(
            session=session,
            visible=visible_cases(user),
            first=add_months(day, -3),
            last=add_months(day, 12),
            today=day,
        )
    host = state.settings.resolved_public_url.split("//", 1)[-1].split("/")[0].split(":")[0]
    body = build_ics(
        calendar_events(items), domain=host or "dla.local", stamp=datetime.now().astimezone()
    )
    return Response(body, media_type="text/calendar; charset=utf-8")
