"""Wire the sweep to the mail layer: one renderer and one transport built from the settings."""

from functools import lru_cache

from dla.clock import Clock
from dla.mail.base import Notice, Outgoing, Transport
from dla.settings import Settings


def mail_renderer(settings: Settings, clock: Clock, sender: str | None = None, *, renderer=None):
    """Return a Notice → Outgoing builder sharing one Jinja2 environment (`renderer`, or new)."""
    from dla.mail.headers import parse_sender
    from dla.mail.message import build_outgoing
    from dla.mail.render import MailRenderer

    renderer = renderer or MailRenderer()
    # Checked once, not per message; a refused sender is not cached and fails each message.
    checked = lru_cache(maxsize=4)(parse_sender)

    def render(notice: Notice) -> Outgoing:
        source = checked(sender or settings.mail_sender)
        return build_outgoing(notice, sender=source, renderer=renderer, clock=clock)

    return render


def mail_transport(settings: Settings) -> Transport:
    """Return the SMTP transport when configured, else the .eml outbox of var/outbox/."""
    from dla.mail.transports import transport_from_settings

    return transport_from_settings(settings)
