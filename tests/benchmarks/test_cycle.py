"""The daily cycle: the sweep flow and the same work without Prefect do the same day's work."""

import contextlib

import pytest
from sqlalchemy import text

from benchmarks import bench_cycle, loopback, sections_cycle
from benchmarks.databases import copy_sqlite, sqlite_database
from benchmarks.portfolio import build, write
from benchmarks.report import Report
from dla.db import make_engine


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A portfolio of 24 cases in SQLite: (url, portfolio)."""
    work = tmp_path_factory.mktemp("cycle")
    portfolio = build(cases=24)
    with sqlite_database(work, "cycle") as url:
        engine = make_engine(url)
        write(portfolio, engine)
        engine.dispose()
        yield work, url, portfolio


def fresh(work, url, name, run):
    copy = copy_sqlite(url, work / f"{name}.db")
    assert bench_cycle.mark_mirrored(copy, run=run) == 0  # the generated history is mirrored
    assert bench_cycle.unmirrored(copy) == 0
    return copy, work / f"var-{name}"


def last_timeline_id(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        (last,) = conn.execute(text("SELECT max(id) FROM timelineevent")).one()
    engine.dispose()
    return last


def test_the_flow_and_the_bare_run_send_the_same_reminders_and_mirror_the_day(
    prefect_server, small
):
    work, url, portfolio = small
    with loopback.smtp_sink() as port:
        flow = bench_cycle.cycle_flow(*fresh(work, url, "flow", 0), port, portfolio.today)
        plain = bench_cycle.cycle_plain(*fresh(work, url, "plain", 1), port, portfolio.today)
    assert flow.counts["sent"] == plain.counts["sent"] == portfolio.due > 0
    assert flow.counts["advanced"] == plain.counts["advanced"]
    assert flow.counts["held"] == plain.counts["held"]
    # Each sent reminder wrote a timeline row; both runs mirrored every one of them.
    assert plain.counts["events"] >= plain.counts["sent"]
    assert flow.counts["unmirrored"] == plain.counts["unmirrored"] == 0
    # The bare run built the portfolio, each moved case's three and the run's table.
    assert plain.counts["artifacts"] == 2 + 3 * plain.counts["advanced"]
    assert flow.tasks > 0 and plain.tasks is None
    assert list(plain.counts["phases"]) == [
        "advance",
        "plan",
        "claim, send, record",
        "artifacts",
        "events, table",
    ]


def test_a_later_run_numbers_the_days_timeline_rows_apart(small):
    work, url, _ = small
    before = last_timeline_id(url)
    copy, _ = fresh(work, url, "later", 2)
    assert last_timeline_id(copy) == before + 2_000_000
    assert last_timeline_id(fresh(work, url, "first", 0)[0]) == before


def test_the_section_reports_the_cycle_with_its_two_targets(prefect_server, small):
    work, url, portfolio = small
    report = Report()
    sections_cycle.cycle(report, work, portfolio, url, runs=1, server=contextlib.nullcontext)
    figures = [f for f in report.figures if f.section == sections_cycle.SECTION]
    assert [f.ok is not None for f in figures] == [True, False, True]
    assert f"{portfolio.due:,} sent" in figures[0].detail
    assert "claim, send, record" in figures[1].detail
    assert not list(work.glob("cycle-*.db*"))  # the copies are removed
