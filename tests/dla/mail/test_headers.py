"""Header values: senders read from settings, addresses normalised, forgeries refused."""

import pytest

from dla.mail.headers import HeaderRefused, check_address, parse_sender


@pytest.mark.parametrize(
    "value, name, address",
    [
        (
            "DLA de l'Isère <rappels@dla-isere.example.org>",
            "DLA de l'Isère",
            "rappels@dla-isere.example.org",
        ),
        (
            '"DLA Isère" <rappels@dla-isere.example.org>',
            "DLA Isère",
            "rappels@dla-isere.example.org",
        ),
        ("rappels@dla-isere.example.org", "", "rappels@dla-isere.example.org"),
        ("  <rappels@dla-isere.example.org>  ", "", "rappels@dla-isere.example.org"),
    ],
)
def test_a_sender_is_read_with_or_without_a_display_name(value, name, address):
    sender = parse_sender(value)

    assert (sender.display_name, sender.addr_spec) == (name, address)


def test_an_address_domain_is_normalised_to_lower_case():
    assert check_address("Presidence@ACI-Un.Example.org", "destinataire") == (
        "Presidence@aci-un.example.org"
    )


@pytest.mark.parametrize("value", ["DLA <rappels@dla-isere>", "DLA <>", "Nom seul"])
def test_an_unusable_sender_is_refused_with_its_value(value):
    with pytest.raises(HeaderRefused, match="expéditeur") as refused:
        parse_sender(value)

    assert repr(value) in str(refused.value)


def test_a_unicode_line_separator_is_refused_like_a_newline():
    with pytest.raises(HeaderRefused, match="caractère de contrôle"):
        parse_sender("DLA\u2028Bcc <rappels@dla-isere.example.org>")
