"""Wire the sweep to the mail layer: one renderer and one transport built from the settings."""

from dla.clock import Clock
from dla.mail.base import Notice, Outgoing, Transport
from dla.settings import Settings


def mail_renderer(settings: Settings, clock: Clock, sender: str | None = None):
    """Return a Notice → Outgoing builder sharing one Jinja2 environment."""
    from dla.mail.message import build_outgoing
    from dla.mail.render import MailRenderer

    renderer = MailRenderer()

    def render(notice: Notice) -> Outgoing:
        return build_outgoing(
            notice, sender=sender or settings.mail_sender, renderer=renderer, clock=clock
        )

    return render


def mail_transport(settings: Settings) -> Transport:
    """Return the SMTP transport when configured, else the .eml outbox of var/outbox/."""
    from dla.mail.transports import transport_from_settings

    return transport_from_settings(settings)
