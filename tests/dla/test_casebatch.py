"""Saving many case files at once leaves exactly the rows saving them one by one leaves."""

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, SQLModel, select

from benchmarks.bench_load import write_files
from dla.casebatch import save_plans
from dla.casefile.loader import load_case_file
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import make_engine, transaction

SAMPLES = sorted((Path(__file__).parents[2] / "samples" / "cases").glob("*.yaml"))
DAY = date(2025, 3, 11)


@pytest.fixture
def twins(sqlite_template, tmp_path):
    """Two empty databases: one saved file by file, the other in bulk."""
    engines = []
    for name in ("one-by-one", "bulk"):
        shutil.copy(sqlite_template, tmp_path / f"{name}.db")
        engines.append(make_engine(f"sqlite:///{tmp_path / name}.db"))
    yield engines
    for engine in engines:
        engine.dispose()


def all_rows(engine) -> dict:
    """Every row of every table, but a case's revision (a count of changes: only moves matter).

    Saved alone, a new case's rows bump it once in the flush; saved in bulk, it stays at 0.
    """
    with Session(engine) as session:
        return {
            table.name: sorted(
                map(repr, session.execute(select(*(c for c in table.c if c.name != "revision"))))
            )
            for table in SQLModel.metadata.sorted_tables
        }


def saved(engine, plans, *, bulk: bool, update_shared: bool = False) -> list:
    clock, done = FixedClock.on(DAY), []
    with transaction(engine) as session:
        if bulk:
            return save_plans(
                plans, session=session, clock=clock, actor="test", reason="import",
                update_shared=update_shared, progress=done.append,
            )  # fmt: skip
        return [
            save_plan(
                p,
                session=session,
                clock=clock,
                actor="test",
                reason="import",
                update_shared=update_shared,
            )  # fmt: skip
            for p in plans
        ]


def test_bulk_saving_writes_the_rows_and_outcomes_of_saving_one_by_one(twins, tmp_path):
    paths = [*SAMPLES, *write_files(tmp_path / "files", 8, DAY)]
    plans = [load_case_file(p) for p in paths]
    one, bulk = twins
    first = saved(one, plans, bulk=False)
    assert saved(bulk, plans, bulk=True) == first
    assert {o.status for o in first} == {"créé"}
    assert all_rows(bulk) == all_rows(one)
    # Reloaded: unchanged files, one case edited, a new one renaming a shared organisation.
    edited = yaml.safe_load(paths[-1].read_text(encoding="utf-8"))
    edited["titre"] = "Titre revu"
    paths[-1].write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    renamer = yaml.safe_load(paths[-2].read_text(encoding="utf-8"))
    renamer["reference"] = renamer["reference"][:-4] + "9999"
    host = next(o for o in renamer["organisations"] if o["cle"] == renamer["porteur_dla"])
    host["nom"] = "DLA renommé"
    (tmp_path / "renamer.yaml").write_text(yaml.safe_dump(renamer, allow_unicode=True), "utf-8")
    again = [load_case_file(p) for p in [*paths, tmp_path / "renamer.yaml"]]
    second = saved(one, again, bulk=False, update_shared=True)
    assert saved(bulk, again, bulk=True, update_shared=True) == second
    assert [o.status for o in second] == ["inchangé"] * (len(paths) - 1) + ["modifié", "créé"]
    assert all_rows(bulk) == all_rows(one)


def test_bulk_saving_tells_its_progress_file_after_file(twins, tmp_path):
    plans = [load_case_file(p) for p in write_files(tmp_path / "files", 3, DAY)]
    told = []
    with transaction(twins[1]) as session:
        save_plans(
            plans, session=session, clock=FixedClock.on(DAY), actor="test", reason="import",
            progress=told.append,
        )  # fmt: skip
    assert told == [1, 2, 3]
