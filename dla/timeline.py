"""Append-only case timeline: every change leaves one event, replays add none."""

from datetime import datetime

from sqlmodel import Session, select

from models import TimelineEvent


def add_event(
    session: Session,
    *,
    case_id: int,
    at: datetime,
    kind: str,
    summary: str,
    actor: str,
    data: dict | None = None,
    key: str | None = None,
) -> TimelineEvent | None:
    """Append an event; with a `key`, an event already recorded under it is not repeated."""
    if key is not None:
        exists = session.exec(
            select(TimelineEvent.id).where(
                TimelineEvent.case_id == case_id, TimelineEvent.key == key
            )
        ).first()
        if exists is not None:
            return None
    if len(summary) > 2000:
        summary = summary[:1997] + "..."
    event = TimelineEvent(
        case_id=case_id, at=at, kind=kind, summary=summary, actor=actor, data=data or {}, key=key
    )
    session.add(event)
    return event


def through(channel: str) -> str:
    """Say through which door something was entered ("par lien" for a board's signed link)."""
    return "par lien" if channel == "lien" else f"via {channel}"
