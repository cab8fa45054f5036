"""The memory benchmark runs a daily reminder pass in a child process and reads its peak."""

import pytest

from benchmarks import bench_send, memory

# The runs start child processes (the memory child, `dla desk`, `dla --help`).
pytestmark = pytest.mark.subprocess


def test_the_child_sends_what_is_due_and_reports_its_peak(database_url, engine, portfolio):
    with bench_send.smtp_sink() as port:
        figures = memory.measure(database_url, portfolio.today, port)
    assert figures["peak_mb"] >= figures["imports_mb"] > 0
    assert figures["decided"] == portfolio.due and figures["sent"] > 0
