"""The latency benchmark sends the same messages to a relay 20 ms away, four ways."""

import time

import aiosmtplib

from benchmarks import bench_latency, bench_send, bench_sweep


def test_baseline_sweep_floor_and_pipelined_reference_send_the_same_messages(
    engine, portfolio, now
):
    figures = bench_latency.run(engine, now, count=min(portfolio.due, 4), runs=1)
    n, default = figures["messages"], figures["default"]
    assert n > 0 and figures["sent"] == n
    assert set(figures["headline"]) == {
        "naive",
        f"sweep {default}",
        f"floor {default}",
        f"pipelined {default}",
    }
    assert {k.split()[1] for k in figures["curve"] if k != "naive"} == {"1", "4", "8", "16"}
    assert bench_sweep.count_due(engine, now) == portfolio.due  # every run's rows put back


async def test_the_relay_answers_each_command_after_its_delay_and_offers_pipelining():
    with bench_send.smtp_sink(delay=0.1) as port:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        start = time.monotonic()
        await client.connect()
        await client.ehlo()  # the greeting, then EHLO's: two replies
        connected = time.monotonic() - start
        assert client.supports_extension("pipelining")
        start = time.monotonic()
        await client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\nx\r\n")
        sent = time.monotonic() - start
        await client.quit()
    assert connected >= 0.2 and sent >= 0.4  # MAIL, RCPT, DATA, content: four replies
