"""The bytes written directly read back as the message the email package would have built."""

import re
from datetime import UTC, date
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dla.clock import FixedClock
from dla.mail.headers import parse_sender
from dla.mail.ics import build_ics
from dla.mail.message import ICS_FILENAME, build_outgoing, message_id, template_context
from dla.mail.wire import encoded_words
from tests.dla.mail.conftest import SENDER

CLOCK = FixedClock.on(date(2024, 1, 29))
# What check_text lets through: no control characters, no line or paragraph separators.
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=120
).filter(str.strip)


def reference(notice, renderer) -> EmailMessage:
    """Build the message the way the email package does (the former implementation)."""
    source = parse_sender(SENDER)
    reference, subject = notice.reference.strip(), notice.subject.strip()
    text, html = renderer.render(notice.template, template_context(notice, reference, subject))
    message = EmailMessage()
    message["Subject"] = f"[{reference}] {subject}"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    if notice.events:
        stamp = CLOCK.now().astimezone(UTC)
        ics = build_ics(notice.events, domain=source.domain, stamp=stamp)
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)


def display_name(data: bytes) -> str:
    """Decode the To display name as RFC 2047 says: white space between encoded words goes.

    (Python's address parser keeps it, for its own long names too: it reads "ab cd" where
    "=?utf-8?q?ab?= =?utf-8?q?cd?=" means "abcd".)
    """
    raw = re.search(rb"^To: (.*?)\r\n(?! )", data, re.S | re.M).group(1)
    phrase = raw.replace(b"\r\n", b"").decode("ascii").rsplit(" <", 1)[0]
    return str(make_header(decode_header(phrase)))


def wire_of(notice, renderer):
    return build_outgoing(notice, sender=SENDER, renderer=renderer, clock=CLOCK).content


def assert_equivalent(notice, renderer):
    data = wire_of(notice, renderer).data
    assert data.isascii() and b"\n" not in data.replace(b"\r\n", b"")  # 7-bit, CRLF only
    got, want = message_from_bytes(data, policy=policy.default), reference(notice, renderer)
    head = data.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert got["Subject"] == want["Subject"]
    [to] = got["To"].addresses
    assert to.addr_spec == notice.to
    assert display_name(data) == (notice.to_name or "").strip()
    assert got["From"].addresses[0].display_name == "DLA de l'Isère"
    assert got["Date"].datetime == CLOCK.now()
    assert got["Date"] == format_datetime(CLOCK.now())
    assert got["Message-ID"] == message_id(notice.key, "dla-isere.example.org")
    assert got["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in got.walk()] == [p.get_content_type() for p in want.walk()]
    for kind in ("plain", "html"):
        # Line ends as decoded depend on the transfer encoding (base64 keeps LF): not compared.
        mine, theirs = (m.get_body((kind,)).get_content() for m in (got, want))
        assert mine.splitlines() == theirs.splitlines()
    for mine, theirs in zip(got.iter_attachments(), want.iter_attachments(), strict=True):
        assert mine.get_content() == theirs.get_content()
        assert mine.get_filename() == theirs.get_filename() == ICS_FILENAME
        assert mine.get_param("method") == theirs.get_param("method") == "PUBLISH"
        assert mine.get_content_charset() == "utf-8"


def test_the_usual_message_reads_back_as_the_email_package_would_build_it(
    make_notice, renderer, period
):
    assert_equivalent(make_notice(events=(period,)), renderer)
    assert_equivalent(make_notice(), renderer)


@pytest.mark.parametrize(
    "name",
    [
        "Elise Martin",
        "Martin, Élise",
        'Élise "Martin" <intrus@example.org>, autre@example.org',
        "=?utf-8?q?intrus?=",
        "back\\slash (commentaire)",
        "É" * 300,
    ],
)
def test_awkward_display_names_read_back_unchanged(make_notice, renderer, name):
    assert_equivalent(make_notice(to_name=name), renderer)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TEXT, subject=TEXT, step=TEXT)
def test_any_checked_text_reads_back_unchanged(make_notice, renderer, name, subject, step):
    notice = make_notice(
        to_name=name, subject=subject, context={"step": step, "due": date(2024, 2, 5)}
    )
    assert_equivalent(notice, renderer)


def test_the_same_notice_gives_the_same_bytes(make_notice, renderer, period):
    notice = make_notice(events=(period,))
    assert wire_of(notice, renderer) == wire_of(notice, renderer)


def test_encoded_words_stay_short_and_never_split_a_character():
    words = encoded_words("é" * 100 + "€𝄞" * 20)
    assert all(len(w) <= 60 for w in words)
    decoded = message_from_bytes(
        ("Subject: " + "\r\n ".join(words) + "\r\n\r\n").encode(), policy=policy.default
    )
    assert decoded["Subject"] == "é" * 100 + "€𝄞" * 20
