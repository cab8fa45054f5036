"""Prefect's share: the sweep flow creates as many task runs for a larger portfolio."""

from benchmarks import bench_prefect
from benchmarks.databases import copy_sqlite, sqlite_database
from benchmarks.portfolio import build, write
from dla.db import make_engine


def test_the_sweep_flow_runs_as_many_tasks_for_more_cases_and_messages(prefect_server, tmp_path):
    runs = {}
    for size in (8, 24):  # both within one batch of 200: the count must not move
        portfolio = build(cases=size)
        with sqlite_database(tmp_path, f"p{size}") as url:
            engine = make_engine(url)
            write(portfolio, engine)
            engine.dispose()
            copy = copy_sqlite(url, tmp_path / f"copy{size}.db")
            _, counts, tasks = bench_prefect.sweep_flow(
                copy, tmp_path / f"var{size}", portfolio.today
            )
            runs[size] = (counts["sent"], tasks)
    assert 0 < runs[8][0] < runs[24][0]
    assert runs[8][1] == runs[24][1] > 0
