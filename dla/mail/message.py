"""Build one French e-mail (text + HTML, optional .ics) from a notice: a value, not a send."""

import hashlib
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from dla.clock import Clock, SystemClock
from dla.mail.base import Notice, Outgoing
from dla.mail.headers import check_text, mailbox, parse_sender
from dla.mail.ics import build_ics
from dla.mail.render import MailRenderer

ICS_FILENAME = "evenements.ics"


def message_id(key: str, domain: str) -> str:
    """Return the Message-ID of a notification key: the same key always gives the same id."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_message(
    notice: Notice,
    *,
    sender: str | Address,
    renderer: MailRenderer,
    clock: Clock | None = None,
) -> EmailMessage:
    """Render `notice` into a checked multipart message; raise `MailError` when refused."""
    what = f"message {notice.key!r}"
    source = sender if isinstance(sender, Address) else parse_sender(sender)
    recipient = mailbox(notice.to, notice.to_name, f"{what}, destinataire")
    reference = check_text(notice.reference, f"{what}, référence").strip()
    subject = check_text(notice.subject, f"{what}, objet").strip()
    now = (clock or SystemClock()).now()

    # The notice's own fields win over a context key of the same name.
    context = {
        **notice.context,
        "reference": reference,
        "subject": subject,
        "to_name": notice.to_name or "",
        "events": notice.events,
        "ics_filename": ICS_FILENAME if notice.events else "",
    }
    text, html = renderer.render(notice.template, context)

    message = EmailMessage()
    message["From"] = source
    message["To"] = recipient
    message["Subject"] = f"[{reference}] {subject}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(notice.key, source.domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies loops
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    if notice.events:
        ics = build_ics(notice.events, domain=source.domain, stamp=now.astimezone(UTC))
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return message


def build_outgoing(
    notice: Notice, *, sender: str | Address, renderer: MailRenderer, clock: Clock | None = None
) -> Outgoing:
    """Build the message of `notice` paired with its key, ready for a transport."""
    return Outgoing(
        key=notice.key,
        message=build_message(notice, sender=sender, renderer=renderer, clock=clock),
    )
