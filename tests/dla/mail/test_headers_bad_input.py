"""Hostile header values: line breaks refused, non-ASCII encoded safely, one recipient always."""

from datetime import date
from email import message_from_bytes, policy

import pytest

from dla.clock import FixedClock
from dla.mail.headers import HeaderRefused, check_address, mailbox, parse_sender
from dla.mail.message import build_message
from tests.dla.mail.conftest import SENDER

CLOCK = FixedClock.on(date(2024, 1, 29))


def sent_bytes(notice, renderer) -> bytes:
    return build_message(notice, sender=SENDER, renderer=renderer, clock=CLOCK).as_bytes()


def headers_of(raw: bytes) -> list[bytes]:
    return raw.split(b"\n\n", 1)[0].split(b"\n")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to_name", "Élise\rBcc: victime@example.org"),
        ("to_name", "Élise\x85Martin"),  # NEL, a line break for some parsers
        ("to_name", "Élise\u2029Martin"),
        ("to_name", "Élise\x00"),
        ("subject", "Rappel\x0bBcc: victime@example.org"),
        ("subject", "Rappel\tBcc"),
        ("reference", "DLA38\r2024"),
        ("to", "presidence@aci-un.example.org\nTo: victime@example.org"),
        ("to", "presidence@aci-un.example.org\x00"),
    ],
)
def test_a_hidden_line_break_in_a_header_is_refused(make_notice, renderer, field, value):
    with pytest.raises(HeaderRefused, match="retour à la ligne ou caractère de contrôle"):
        sent_bytes(make_notice(**{field: value}), renderer)


@pytest.mark.parametrize(
    "name",
    [
        'Élise "Martin" <intrus@example.org>, autre@example.org',
        "Martin, Élise",
        "=?utf-8?q?intrus?= <intrus@example.org>",
        "<intrus@example.org>",
    ],
)
def test_a_display_name_looking_like_addresses_still_makes_one_recipient(
    make_notice, renderer, name
):
    raw = sent_bytes(make_notice(to_name=name), renderer)

    parsed = message_from_bytes(raw, policy=policy.default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["presidence1@aci-un.example.org"]


def test_non_ascii_names_and_subjects_are_encoded_in_ascii_headers(make_notice, renderer):
    raw = sent_bytes(make_notice(to_name="Élise Ñúñez", subject="Échéance dépassée"), renderer)

    assert all(line.isascii() for line in headers_of(raw))
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["To"].addresses[0].display_name == "Élise Ñúñez"
    assert parsed["Subject"] == "[DLA38-2024-01] Échéance dépassée"


def test_an_accented_domain_travels_in_its_ascii_form():
    assert check_address("presidence@aci-ün.example.org", "destinataire") == (
        "presidence@xn--aci-n-nva.example.org"
    )


def test_an_accented_local_part_is_refused_rather_than_mangled():
    with pytest.raises(HeaderRefused, match="non ASCII avant le @"):
        mailbox("élise@aci-un.example.org", "Élise", "destinataire")


@pytest.mark.parametrize(
    "address",
    [
        "p" * 300 + "@aci-un.example.org",
        "p@" + "a" * 64 + ".example.org",
        "p@" + "x." * 130 + "org",
    ],
)
def test_an_over_long_address_is_refused(address):
    with pytest.raises(HeaderRefused, match="adresse électronique invalide"):
        check_address(address, "destinataire")


def test_very_long_names_and_subjects_are_folded_within_the_line_limit(make_notice, renderer):
    raw = sent_bytes(make_notice(to_name="É" * 5000, subject="x" * 5000), renderer)

    assert max(len(line) for line in headers_of(raw)) <= 998
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "[DLA38-2024-01] " + "x" * 5000
    assert len(parsed["To"].addresses) == 1


@pytest.mark.parametrize("value", ["", "   ", None, 42, "DLA\r\n<rappels@dla-isere.example.org>"])
def test_an_unusable_sender_setting_is_refused(value):
    with pytest.raises(HeaderRefused):
        parse_sender(value)
