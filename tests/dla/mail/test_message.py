"""Building a message from a notice: French parts, headers, Message-ID, .ics, refusals."""

from datetime import date

import pytest
from icalendar import Calendar

from dla.clock import FixedClock
from dla.mail.base import CalendarEvent
from dla.mail.headers import HeaderRefused, MailError
from dla.mail.message import build_message, message_id
from dla.mail.render import RenderRefused
from tests.dla.mail.conftest import SENDER

CLOCK = FixedClock.on(date(2024, 1, 29))


def build(notice, renderer, sender=SENDER):
    return build_message(notice, sender=sender, renderer=renderer, clock=CLOCK)


def test_the_subject_starts_with_the_case_reference(make_notice, renderer):
    msg = build(make_notice(), renderer)

    assert msg["Subject"] == "[DLA38-2024-01] Échéance proche : note de diagnostic"


def test_sender_and_recipient_carry_their_display_names(make_notice, renderer):
    msg = build(make_notice(), renderer)

    assert msg["From"].addresses[0].display_name == "DLA de l'Isère"
    assert msg["From"].addresses[0].addr_spec == "rappels@dla-isere.example.org"
    assert msg["To"].addresses[0].display_name == "Élise Martin"
    assert msg["To"].addresses[0].addr_spec == "presidence1@aci-un.example.org"


def test_the_message_id_derives_from_the_key_only(make_notice, renderer):
    first = build(make_notice(1), renderer)
    again = build_message(
        make_notice(1), sender=SENDER, renderer=renderer, clock=FixedClock.on(date(2025, 6, 2))
    )
    other = build(make_notice(2), renderer)

    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@dla-isere.example.org>")
    assert first["Message-ID"] == message_id(make_notice(1).key, "dla-isere.example.org")


def test_the_date_header_comes_from_the_clock(make_notice, renderer):
    msg = build(make_notice(), renderer)

    assert msg["Date"].datetime == CLOCK.now()


def test_text_and_html_parts_are_french_with_french_dates(make_notice, renderer):
    msg = build(make_notice(), renderer)

    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert text.startswith("Bonjour Élise Martin,")
    assert "L'étape « Note de diagnostic » est attendue pour le 5 février 2024." in text
    assert '<html lang="fr">' in html
    assert "<strong>5 février 2024</strong>" in html


def test_html_is_escaped_and_text_is_not(make_notice, renderer):
    notice = make_notice(context={"step": "Statuts <b>& pacte</b>", "due": date(2024, 2, 5)})

    msg = build(notice, renderer)

    assert "Statuts &lt;b&gt;&amp; pacte&lt;/b&gt;" in msg.get_body(("html",)).get_content()
    assert "Statuts <b>& pacte</b>" in msg.get_body(("plain",)).get_content()


def test_a_value_missing_from_the_context_is_refused(make_notice, renderer):
    with pytest.raises(RenderRefused, match="step"):
        build(make_notice(context={"due": date(2024, 2, 5)}), renderer)


def test_an_unknown_template_is_refused_in_french(make_notice, renderer):
    with pytest.raises(RenderRefused, match="mail/absent.txt.j2"):
        build(make_notice(template="absent"), renderer)


@pytest.mark.parametrize("name", ["../secret", "Test", "a b", ""])
def test_a_template_name_outside_templates_mail_is_refused(make_notice, renderer, name):
    with pytest.raises(RenderRefused, match="nom invalide"):
        build(make_notice(template=name), renderer)


def test_events_come_as_an_ics_attachment(make_notice, renderer, period):
    follow_up = CalendarEvent(
        uid="followup:DLA38-2024-01:6@dla.example.org",
        summary="Suivi à 6 mois",
        start=date(2024, 9, 2),
        end=date(2024, 9, 2),
    )
    msg = build(make_notice(events=(period, follow_up)), renderer)

    assert msg.get_content_type() == "multipart/mixed"
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename() == "evenements.ics"
    assert part.get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(part.get_content())
    assert str(calendar["METHOD"]) == "PUBLISH"
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == "period:DLA38-2024-01:appropriation@dla-isere.example.org"
    assert str(first["SUMMARY"]) == "Période d'appropriation"
    assert first.decoded("DTSTART") == date(2024, 3, 1)
    assert first.decoded("DTEND") == date(2024, 4, 1)  # exclusive: the 31st is included
    assert str(second["UID"]) == "followup:DLA38-2024-01:6@dla.example.org"
    assert second.decoded("DTEND") == date(2024, 9, 3)
    assert "evenements.ics" in msg.get_body(("plain",)).get_content()


def test_an_event_ending_before_it_starts_is_refused(make_notice, renderer):
    wrong = CalendarEvent(uid="x", summary="x", start=date(2024, 3, 2), end=date(2024, 3, 1))

    with pytest.raises(MailError, match="précède le début"):
        build(make_notice(events=(wrong,)), renderer)


@pytest.mark.parametrize(
    "field, value",
    [
        ("to_name", "Élise\r\nBcc: victime@example.org"),
        ("to_name", "Élise\nMartin"),
        ("subject", "Rappel\r\nBcc: victime@example.org"),
        ("subject", "Rappel\x00"),
        ("reference", "DLA38\n2024"),
        ("to", "presidence@aci-un.example.org\r\nBcc: victime@example.org"),
    ],
)
def test_a_line_break_or_control_char_in_a_header_is_refused(make_notice, renderer, field, value):
    with pytest.raises(HeaderRefused, match="retour à la ligne ou caractère de contrôle"):
        build(make_notice(**{field: value}), renderer)


@pytest.mark.parametrize("address", ["presidence", "presidence@", "a b@aci-un.example.org"])
def test_an_invalid_recipient_address_is_refused(make_notice, renderer, address):
    with pytest.raises(HeaderRefused, match="adresse électronique invalide"):
        build(make_notice(to=address), renderer)


def test_a_sender_with_a_line_break_is_refused(make_notice, renderer):
    with pytest.raises(HeaderRefused, match="expéditeur"):
        build(make_notice(), renderer, sender="DLA\n<rappels@dla-isere.example.org>")


def test_the_refusal_names_the_message_key(make_notice, renderer):
    notice = make_notice(subject="a\nb")

    with pytest.raises(HeaderRefused) as refused:
        build(notice, renderer)

    assert notice.key in str(refused.value)
    assert "objet" in str(refused.value)
