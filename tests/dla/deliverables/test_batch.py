"""Batches: the versions of many documents go in one insert, before any of their files."""

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dla.db import transaction
from dla.deliverables import generate, produce
from models import Deliverable
from tests.dla.deliverables.conftest import CLOCK, REFERENCES

ISERE = "DLA38-2006-01"


def run(engine, var_dir, references, kinds=("monographie",)):
    with transaction(engine) as session:
        return generate(
            list(references), list(kinds), ["html"], session=session, var_dir=var_dir, clock=CLOCK
        )


def test_each_batch_records_its_versions_in_one_insert(samples, tmp_path, monkeypatch):
    monkeypatch.setattr(produce, "BATCH", 3)
    inserts = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO DELIVERABLE"):
            inserts.append(statement)

    event.listen(samples, "before_cursor_execute", count)
    try:
        done = run(samples, tmp_path / "var", REFERENCES)
    finally:
        event.remove(samples, "before_cursor_execute", count)

    assert len(inserts) == 2  # four documents in batches of three
    assert [(d.owner, d.version, d.new) for d in done] == [(r, 1, True) for r in REFERENCES]
    assert all(d.path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for d in done)
    with Session(samples) as session:
        rows = session.exec(select(Deliverable.path)).all()
    assert sorted(tmp_path / "var" / p for p in rows) == sorted(d.path for d in done)


def test_a_run_that_lost_the_race_records_nothing_and_overwrites_no_file(
    samples, tmp_path, monkeypatch
):
    (first,) = run(samples, tmp_path / "var", [ISERE])
    first.path.write_text("written by the run that recorded version 1 first", encoding="utf-8")
    # A concurrent run read the versions before the first one committed: it also makes v1.
    monkeypatch.setattr("dla.deliverables.store.latest_versions", lambda *a, **k: {})

    with pytest.raises(IntegrityError):
        run(samples, tmp_path / "var", [ISERE])

    assert first.path.read_text(encoding="utf-8").startswith("written by the run")
    with Session(samples) as session:
        assert len(session.exec(select(Deliverable.id)).all()) == 1
