"""Loopback servers: ports from the benchmarks' own range, an SMTP sink that takes mail."""

import smtplib

from benchmarks import loopback


def test_free_ports_are_taken_from_the_benchmarks_range():
    first = loopback.free_port()
    second = loopback.free_port(taken=(first,))
    assert 4700 <= first < second < 4800


def test_the_sink_accepts_a_message_on_a_port_of_the_range():
    with loopback.smtp_sink() as port:
        assert port in loopback.PORTS
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            refused = client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\ny")
    assert refused == {}
