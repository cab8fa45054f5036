"""Build the desk's ASGI application (Starlette): routes, sessions, headers, error pages."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dla.clock import Clock, SystemClock
from dla.db import make_engine
from dla.secret import secret_key
from dla.settings import Settings, get_settings
from web import auth, boardpage, caseactions, casedocs, caseforms, casepage, pages
from web.render import page
from web.security import SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"
SESSION_HOURS = 12


@dataclass
class DeskState:
    settings: Settings
    engine: Engine
    clock: Clock


def health(request: Request) -> PlainTextResponse:
    """Answer the start script's readiness probe."""
    return PlainTextResponse("ok")


async def error_page(request: Request, exc: HTTPException):
    """Show errors as French pages (404 says nothing about whether the case exists)."""
    messages = {
        404: "Page introuvable, ou vous n'y avez pas accès.",
        403: exc.detail if exc.status_code == 403 else "",
    }
    message = messages.get(exc.status_code) or exc.detail or "Erreur."
    return page(request, "error.html", exc.status_code, message=message, code=exc.status_code)


ROUTES = [
    Route("/", pages.today_page),
    Route("/connexion", auth.login_page, methods=["GET"]),
    Route("/connexion", auth.login, methods=["POST"]),
    Route("/deconnexion", auth.logout, methods=["POST"]),
    Route("/cas", pages.cases_page),
    Route("/export/cas.csv", pages.cases_csv),
    Route("/export/cas.xlsx", pages.cases_xlsx),
    Route("/cas/{reference}", casepage.case_page),
    Route("/cas/{reference}/documents/{document:int}", casepage.download),
    Route("/cas/{reference}/dossier.yaml", casepage.case_file),
    *(
        Route(f"/cas/{{reference}}{path}", handler, methods=["POST"])
        for path, handler in caseforms.PATHS.items()
    ),
    Route("/cas/{reference}/pieces", casedocs.attach, methods=["POST"]),
    Route("/cas/{reference}/pieces/{piece:int}", casedocs.download),
    Route("/cas/{reference}/liens/{link}/revoquer", casedocs.revoke, methods=["POST"]),
    # A board's signed link: the one page outside the login (the token is the key).
    Route("/lien/{token}", boardpage.board_page, methods=["GET"]),
    Route("/lien/{token}", boardpage.answer, methods=["POST"]),
    Route("/lien/{token}/documents/{document:int}", boardpage.deliverable),
    Route("/lien/{token}/pieces/{piece:int}", boardpage.attachment),
    Route("/syntheses/{fmt}/{version:int}", casepage.synthesis_download),
    Route("/calendrier", pages.calendar_page),
    Route("/calendrier/abonnement", pages.new_feed, methods=["POST"]),
    Route("/ics/{token}", pages.ics_feed),
    Route("/sante", health),
    *caseactions.ROUTES,  # members, contacts, measures, facts, the case's end
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, clock: Clock | None = None
) -> Starlette:
    """Return the desk for these settings (read from the environment by default)."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.resolved_database_url)
    https = settings.resolved_public_url.startswith("https://")
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret_key(settings),
                session_cookie="bureau_dla",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=https,
            ),
        ],
        exception_handlers={HTTPException: error_page},
    )
    app.state.desk = DeskState(settings, engine, clock or SystemClock())
    return app


def asgi_app() -> Starlette:
    """Factory for `uvicorn --factory web.app:asgi_app` (each worker builds its own)."""
    return create_app()
