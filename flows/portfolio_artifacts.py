"""Dashboards in the Prefect UI: the portfolio of cases and the monthly follow-up check."""

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_UI_URL
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from dla.casefile.fields import Day
from dla.clock import clock_for
from dla.dashboard import follow_ups_table, portfolio_table
from dla.db import make_engine
from dla.forms import blank, optional
from dla.frenchtext import fr_date
from dla.links import desk_url
from dla.settings import get_settings
from dla.shown import md_rows
from flows.forms import refuse_bad_forms

PORTFOLIO_KEY = "portefeuille"
FOLLOW_UPS_KEY = "suivis"
# A national portfolio (10,000 cases) made a 5 MB table: a second to post at each sweep, too
# large for Prefect's event feed, unreadable in the UI. Past this many cases, those that need
# attention come first and a last row sends to the desk, which lists them all.
MAX_PORTFOLIO_ROWS = 500
_RANK = {"bloquant": 3, "alerte": 2, "information": 1}


class FollowUpCheck(BaseModel):
    """Form of the monthly follow-up check."""

    model_config = ConfigDict(
        title="Suivis à venir",
        json_schema_extra={"description": "Les suivis dus dans le mois, ou en retard."},
    )

    aujourdhui: optional(Day) = blank(
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel ; une date rejoue le contrôle à cette date.",
    )


@task(cache_policy=NO_CACHE, task_run_name="tableau de bord du portefeuille")
def publish_portfolio(engine: Engine, today: date) -> int:
    return portfolio_artifact(engine, today)


def portfolio_artifact(engine: Engine, today: date) -> int:
    """Publish the portfolio table (one row per case, links to its runs and its desk page)."""
    rows = portfolio_table(engine, today, PREFECT_UI_URL.value())
    create_table_artifact(
        md_rows(first_rows(rows), keep=("runs", "bureau")) or [{"référence": "aucun cas"}],
        key=PORTFOLIO_KEY,
        description=f"Portefeuille des accompagnements au {fr_date(today)}",
    )
    return len(rows)


def first_rows(rows: list[dict], limit: int = MAX_PORTFOLIO_ROWS) -> list[dict]:
    """Keep the table whole up to `limit` rows; past it, the cases needing attention first."""
    if len(rows) <= limit:
        return rows
    urgent = sorted(
        rows,
        key=lambda r: (
            -_RANK.get(r["vigilance"], 0),
            -r["tâches en retard"],
            -r["validations attendues"],
        ),
    )
    rest = len(rows) - (limit - 1)
    last = dict.fromkeys(rows[0], "")
    last |= {"référence": f"… et {rest} autres cas", "bureau": desk_url("/cas")}
    return urgent[: limit - 1] + [last]


@task(cache_policy=NO_CACHE, task_run_name="suivis dus")
def publish_follow_ups(engine: Engine, today: date) -> int:
    rows = follow_ups_table(engine, today)
    create_table_artifact(
        md_rows(rows) or [{"référence": "aucun suivi dû"}],
        key=FOLLOW_UPS_KEY,
        description=f"Suivis dus dans le mois ou en retard, au {fr_date(today)}",
    )
    return len(rows)


@flow(name="suivis", log_prints=True, validate_parameters=False)
@refuse_bad_forms
def follow_up_check(demande: FollowUpCheck = FollowUpCheck()) -> int:  # noqa: B008
    """List the follow-ups due this month or late, and refresh the portfolio."""
    engine = make_engine(get_settings().resolved_database_url)
    today = clock_for(demande.aujourdhui).today()
    try:
        count = publish_follow_ups(engine, today)
        publish_portfolio(engine, today)
        get_run_logger().info("%s suivi(s) dû(s) ou en retard", count)
        return count
    finally:
        engine.dispose()
