"""The desk section: a real `dla desk` under a few sessions, every figure produced."""

import pytest

from benchmarks.runner import main

pytestmark = pytest.mark.subprocess  # starts `dla desk` as a child process


def test_the_desk_section_reports_every_page_its_queries_and_their_growth(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    report = main(
        ["--only", "desk", "--sizes", "12", "--requests", "24", "--no-postgresql"]
        + ["--output", str(output)]
    )
    text = output.read_text(encoding="utf-8")
    assert "## Desk" in text
    figures = {f.name.split(" (")[0].split(",")[0]: f for f in report.figures}
    for page in ("Inbox", "Filtered list", "Case page", "Calendar"):
        figure = figures[page]
        assert figure.target == "≤ 150 ms" and figure.ok in (True, False)
        assert "all 200" in figure.detail, figure.detail  # every request answered 200
        assert "median" in figure.detail and "requests/s" in figure.detail
        assert "SQL statements" in figure.detail
        assert "alone, one request at a time" in figure.detail
    assert figures["Whole mix"].value.endswith("requests/s")
    assert figures["Capacity: the same mix in a closed loop"].value.endswith("requests/s")
    growth = figures["SQL statements per page"]
    assert growth.ok is True, growth.detail  # no page's statement count grows with the cases
    assert all(f.section == "Desk" for f in report.figures)


def test_a_desk_profile_sees_the_pages_own_code(tmp_path):
    """The sync handlers run in Starlette's thread pool; the profile must still reach them."""
    from benchmarks import bench_desk
    from benchmarks.portfolio import build, write
    from benchmarks.sections import profile_text
    from dla.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'p.db'}"
    engine = make_engine(url)
    upgrade(engine)
    portfolio = build(cases=12)
    write(portfolio, engine)
    who = bench_desk.accounts(engine, portfolio.departements[0], portfolio.today)
    text = bench_desk.profile_page(
        engine, url, who, "calendar", tmp_path / "var", portfolio.today,
        lambda fn: profile_text(fn, lines=200),
    )  # fmt: skip
    engine.dispose()
    assert "calendar_page" in text and "web/pages.py" in text, text


def test_a_missed_desk_page_is_explained_by_its_cost_alone_and_the_servers_load():
    from benchmarks.bench_desk import Load
    from benchmarks.sections import _desk_limit

    alone = {
        (page, role): 0.02
        for page in ("inbox", "calendar")
        for role in ("admin", "coordination", "charge_mission")
    }
    alone["inbox", "admin"] = 0.27
    load = Load(seconds=10.0, times={("inbox", "admin"): [0.3] * 180})
    capacity = Load(seconds=5.0, times={("inbox", "admin"): [0.5] * 200})
    note = _desk_limit("SQLite", ["inbox"], alone, load, capacity)
    assert note.startswith("Desk, SQLite: inbox above 150 ms at p95. Measured limit")
    assert "inbox as admin 270.0 ms" in note and "national" in note
    assert "offers 18.0 requests/s" in note and "at most 40.0/s" in note and "about 45 %" in note
