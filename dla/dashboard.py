"""The portfolio dashboard the daily sweep publishes: one row per case, in a few queries."""

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from dla.frenchtext import case_status_label, fr_date
from dla.links import case_link
from dla.portfolio import portfolio
from dla.vigilance import RULES
from models import Case, FollowUp, Indicator, TimelineEvent

_RANK = {"information": 1, "alerte": 2, "bloquant": 3}


def vigilance_levels(*, session: Session) -> dict[int, str]:
    """Return each case's highest level among the findings of its latest vigilance review."""
    levels = {rule.code: rule.level.value for rule in RULES}
    # Only each case's latest review is read: the cost follows the cases, not their history.
    latest_ids = (
        select(func.max(TimelineEvent.id))
        .where(TimelineEvent.kind == "vigilance.reviewed")
        .group_by(TimelineEvent.case_id)
    )
    latest = {
        case_id: (data or {}).get("findings", [])
        for case_id, data in session.exec(
            select(TimelineEvent.case_id, TimelineEvent.data).where(
                col(TimelineEvent.id).in_(latest_ids)
            )
        )
    }
    return {
        case_id: max((levels.get(c, "information") for c in codes), key=_RANK.get, default="aucun")
        for case_id, codes in latest.items()
    }


def dashboard_rows(*, session: Session, today: date, ui_url: str | None) -> list[dict]:
    """Return the portfolio as table rows (French headers), with a link to each case's runs."""
    ids = dict(session.exec(select(Case.reference, Case.id)).all())
    levels = vigilance_levels(session=session)
    return [
        {
            "référence": r.reference,
            "dép.": r.departement,
            "statut": case_status_label(r.status),
            "étape en cours": r.current_stage or "—",
            "prochaine échéance": fr_date(r.next_due),
            "tâches en retard": r.overdue,
            "validations attendues": r.awaiting,
            "vigilance": levels.get(ids[r.reference], "—"),
            "bureau": case_link(r.reference),
            "runs": f"{ui_url}/runs?flow-run-search={r.reference}" if ui_url else "—",
        }
        for r in portfolio(session=session, today=today)
    ]


def follow_ups_due(*, session: Session, today: date, days: int = 31) -> list[dict]:
    """Return the follow-ups due within `days` or overdue, with the indicators to collect."""
    rows = session.exec(
        select(FollowUp, Case.reference)
        .join(Case, Case.id == FollowUp.case_id)
        .where(col(FollowUp.done_on).is_(None), FollowUp.due_date <= today + timedelta(days=days))
        .order_by(FollowUp.due_date, Case.reference)
    ).all()
    case_ids = {f.case_id for f, _ in rows}
    indicators: dict[int, list[str]] = {}
    for case_id, name in session.exec(
        select(Indicator.case_id, Indicator.label).where(col(Indicator.case_id).in_(case_ids))
    ):
        indicators.setdefault(case_id, []).append(name)
    return [
        {
            "référence": reference,
            "suivi": f"{f.months_after} mois",
            "échéance": fr_date(f.due_date),
            "état": "en retard" if f.due_date < today else "à venir",
            "indicateurs à recueillir": ", ".join(indicators.get(f.case_id, [])) or "—",
        }
        for f, reference in rows
    ]


def portfolio_table(engine: Engine, today: date, ui_url: str | None) -> list[dict]:
    """Return the dashboard's rows, read in their own session."""
    with Session(engine) as session:
        return dashboard_rows(session=session, today=today, ui_url=ui_url)


def follow_ups_table(engine: Engine, today: date) -> list[dict]:
    """Return the follow-ups due this month or late, read in their own session."""
    with Session(engine) as session:
        return follow_ups_due(session=session, today=today)
