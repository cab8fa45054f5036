"""Build one French e-mail (text + HTML, optional .ics) from a notice: a value, not a send."""

import hashlib
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache

from dla.clock import Clock, SystemClock
from dla.mail import wire
from dla.mail.base import Notice, Outgoing, Wire
from dla.mail.headers import check_text, mailbox, parse_sender
from dla.mail.ics import build_ics
from dla.mail.render import MailRenderer

ICS_FILENAME = "evenements.ics"
ICS_TYPE = 'text/calendar; method="PUBLISH"; charset="utf-8"'
# The people of one case get the same events in one sweep: write their calendar once.
cached_ics = lru_cache(maxsize=256)(build_ics)


def message_id(key: str, domain: str) -> str:
    """Return the Message-ID of a notification key: the same key always gives the same id."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def template_context(notice: Notice, reference: str, subject: str) -> dict:
    """Return what the notice's templates read (its own fields win over a context key)."""
    return {
        **notice.context,
        "reference": reference,
        "subject": subject,
        "to_name": notice.to_name or "",
        "events": notice.events,
        "ics_filename": ICS_FILENAME if notice.events else "",
    }


def build_wire(
    notice: Notice,
    *,
    sender: str | Address,
    renderer: MailRenderer,
    clock: Clock | None = None,
) -> Wire:
    """Render `notice` into the bytes of a checked multipart message; raise `MailError` if refused."""
    what = f"message {notice.key!r}"
    source = sender if isinstance(sender, Address) else parse_sender(sender)
    recipient = mailbox(notice.to, notice.to_name, f"{what}, destinataire")
    reference = check_text(notice.reference, f"{what}, référence").strip()
    subject = check_text(notice.subject, f"{what}, objet").strip()
    now = (clock or SystemClock()).now()

    text, html = renderer.render(notice.template, template_context(notice, reference, subject))

    mid = message_id(notice.key, source.domain)
    tag = mid[1:25]  # the boundaries derive from the key: the same notice gives the same bytes
    body = wire.multipart(
        "alternative",
        f"==alt_{tag}==",
        [wire.text_part(text, "plain"), wire.text_part(html, "html")],
    )
    if notice.events:
        ics = cached_ics(notice.events, domain=source.domain, stamp=now.astimezone(UTC))
        body = wire.multipart(
            "mixed", f"==mixed_{tag}==", [body, wire.attachment(ics, ICS_TYPE, ICS_FILENAME)]
        )
    head = b"".join(
        (
            wire.mailbox("From", source.display_name, source.addr_spec),
            wire.mailbox("To", recipient.display_name, recipient.addr_spec),
            wire.unstructured("Subject", f"[{reference}] {subject}"),
            f"Date: {format_datetime(now)}\r\n".encode("ascii"),
            f"Message-ID: {mid}\r\n".encode("ascii"),
            b"Auto-Submitted: auto-generated\r\n",  # RFC 3834: no vacation replies loops
            b"MIME-Version: 1.0\r\n",
        )
    )
    return Wire(head + body, source.addr_spec, (recipient.addr_spec,), mid)


def build_message(
    notice: Notice,
    *,
    sender: str | Address,
    renderer: MailRenderer,
    clock: Clock | None = None,
) -> EmailMessage:
    """Render `notice` into a checked multipart message; raise `MailError` when refused."""
    built = build_wire(notice, sender=sender, renderer=renderer, clock=clock)
    return Outgoing(notice.key, built).message


def build_outgoing(
    notice: Notice, *, sender: str | Address, renderer: MailRenderer, clock: Clock | None = None
) -> Outgoing:
    """Build the message of `notice` paired with its key, ready for a transport."""
    return Outgoing(
        key=notice.key,
        content=build_wire(notice, sender=sender, renderer=renderer, clock=clock),
    )
