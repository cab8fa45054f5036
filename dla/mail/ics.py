"""Write calendar events as an iCalendar file (all-day events, METHOD:PUBLISH)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from dla.mail.base import CalendarEvent
from dla.mail.headers import MailError

TIMEZONE = "Europe/Paris"


def build_ics(events: Sequence[CalendarEvent], *, domain: str, stamp: datetime) -> bytes:
    """Return the .ics bytes of `events`; `stamp` is DTSTAMP, `domain` completes bare UIDs."""
    calendar = Calendar()
    calendar.add("prodid", "-//DLA pilotage des accompagnements//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", TIMEZONE)
    for item in events:
        if item.end < item.start:
            raise MailError(
                f"événement {item.uid!r} : la fin ({item.end}) précède le début ({item.start})"
            )
        event = Event()
        # A UID must be globally unique: qualify bare ones with the sender's domain.
        event.add("uid", item.uid if "@" in item.uid else f"{item.uid}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        # All-day events: DATE values, and DTEND is exclusive.
        event.add("dtstart", item.start)
        event.add("dtend", item.end + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        calendar.add_component(event)
    return calendar.to_ical()
