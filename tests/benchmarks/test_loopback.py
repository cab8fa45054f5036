"""Loopback servers: ports from the benchmarks' own range, an SMTP sink that takes mail."""

import os
import smtplib
import socket

import pytest

from benchmarks import bench_send, loopback


def test_free_ports_are_taken_from_the_benchmarks_range():
    first = loopback.free_port()
    second = loopback.free_port(taken=(first,))
    assert first != second and {first, second} <= set(range(4700, 4800))


def test_a_sink_on_a_port_another_process_holds_is_refused_not_borrowed():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert bench_send.listens(os.getpid(), port)
        # A connection would succeed (to `other`): the sink must see it is not the listener.
        with pytest.raises(bench_send.PortTaken), bench_send.smtp_sink(port=port):
            pass


def test_the_sink_accepts_a_message_on_a_port_of_the_range():
    with loopback.smtp_sink() as port:
        assert port in loopback.PORTS
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            refused = client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\ny")
    assert refused == {}
