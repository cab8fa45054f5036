"""The loading benchmark's case files are valid, distinct and load into the database."""

import pytest
from sqlmodel import Session, func, select

from benchmarks import bench_load
from benchmarks.portfolio import TODAY
from models import Case


def test_generated_case_files_validate_and_load_as_distinct_cases(engine, tmp_path):
    paths = bench_load.write_files(tmp_path, 4, TODAY)
    plans = bench_load.read_all(paths)
    assert bench_load.save_all(engine, plans, TODAY) == {"créé": 4}
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 4
    assert bench_load.save_all(engine, plans, TODAY) == {"inchangé": 4}


@pytest.mark.subprocess  # times `dla --help` in child processes
def test_cli_start_is_timed_for_both_commands():
    timings = bench_load.cli_start(runs=1)
    assert set(timings) == {"dla --help", "dla case load --help"}
    assert all(len(t.runs) == 1 for t in timings.values())
