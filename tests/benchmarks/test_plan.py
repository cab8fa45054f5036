"""The planning benchmark times the three passes on the same work, and leaves the outbox as it was."""

from sqlmodel import Session, func, select

from benchmarks import bench_plan
from models import Notification


def rows(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Notification)).one()


def test_the_passes_are_timed_side_by_side_each_rolled_back(engine, portfolio):
    before = rows(engine)
    figures = bench_plan.run(engine, portfolio.today, runs=2, share=0.25)
    assert rows(engine) == before
    assert {k: len(t.runs) for k, t in figures["timings"].items()} == {
        "full": 2,
        "next_day": 2,
        "same_day": 2,
    }
    assert figures["changed"] == 3 and figures["open"] == 12
    planned = figures["planned"]
    assert planned["same_day"] == figures["changed"]
    assert planned["same_day"] <= planned["next_day"] <= planned["full"] == 12
    # The incremental pass of the next day writes every row the full pass writes.
    assert figures["inserted"]["next_day"] == figures["inserted"]["full"]
