"""Senders running side by side with different simulated days, and two concurrent replays: the
simulated day decides what is due, real time protects what is in flight, so nothing arrives
twice and nothing is lost (issue 15, points 1 and 2)."""

import time
from datetime import date, timedelta

from dla import progress
from dla.clock import FixedClock
from tests.dla.deliverables.conftest import load_samples
from tests.faults.conftest import BIN, LEDGER, WAIT_SECONDS, dla_env, run, spawn
from tests.faults.tally import backend, figures
from tests.faults.test_killed_sweep import DAY, load_cases

REMIND = [str(BIN / "dla"), "remind"]
BACKOFF = "1"  # seconds (real time) before a refused message may be tried again


def wait_until(reached, what: str, *children) -> None:
    end = time.monotonic() + WAIT_SECONDS
    while not reached():
        assert time.monotonic() < end, f"jamais atteint : {what}\n" + "\n".join(
            c.output() for c in children
        )
        time.sleep(0.02)


def test_two_senders_with_different_days_against_a_451_server_send_each_message_once(
    engine, database_url, smtp, tmp_path
):
    load_cases(engine, tmp_path)
    env = dla_env(database_url, tmp_path / "var", **smtp.env(), DLA_OUTBOX_RETRY_BACKOFF=BACKOFF)
    # The first three messages are refused for now (451); the server then keeps its answers.
    smtp.inbox.refuse_first, smtp.inbox.hold_after = 3, 4
    first = spawn([*REMIND, "--no-digest", "--today", DAY.isoformat()], env, tmp_path / "a.log")
    wait_until(lambda: smtp.inbox.held >= 2, "le premier envoi en vol", first)
    # A second sender, one simulated day later, while the first one's batch is in flight.
    held = smtp.inbox.held
    later = (DAY + timedelta(days=1)).isoformat()
    second = spawn([*REMIND, "--no-digest", "--today", later], env, tmp_path / "b.log")
    wait_until(
        lambda: second.process.poll() is not None or smtp.inbox.held > held,
        "le second envoi a pris ses lignes",
        second,
    )
    smtp.inbox.open()
    assert first.wait() == 0, first.output()
    assert second.wait() == 0, second.output()
    # Once the refused messages' backoff has passed (real time), a pass of the same day
    # sends them.
    time.sleep(float(BACKOFF) + 0.5)
    run([*REMIND, "--no-digest", "--today", later], env, tmp_path / "c.log")

    got = figures(engine, smtp.inbox.counts(), until=FixedClock.on(DAY + timedelta(days=1)).now())
    LEDGER.tried(
        "deux envois simultanés à des jours simulés différents, serveur en 451 au début",
        backend=backend(engine),
        **got.ledger(),
    )
    assert smtp.inbox.refused == 3
    assert got.duplicates == 0 and got.lost == [] and got.misrecorded == []
    assert got.delivered == got.expected > 3


START, END = date(2007, 1, 1), date(2008, 1, 7)


def test_two_concurrent_replays_deliver_each_message_once_and_mark_none_cancelled(
    engine, database_url, smtp, tmp_path
):
    load_samples(engine)
    for reference in progress_references(engine):
        progress.replay(engine, reference, END, progress.plain_steps(engine))
    env = dla_env(database_url, tmp_path / "var", **smtp.env())
    replay = [*REMIND, "--since", START.isoformat(), "--today", END.isoformat()]
    children = [spawn(replay, env, tmp_path / f"replay-{n}.log") for n in (1, 2)]
    for child in children:
        assert child.wait(timeout=900) == 0, child.output()

    got = figures(engine, smtp.inbox.counts(), until=FixedClock.on(END).now())
    LEDGER.tried(
        f"deux rejeux simultanés (--since {START} --today {END})",
        backend=backend(engine),
        **got.ledger(),
    )
    assert got.duplicates == 0 and got.lost == [] and got.misrecorded == []
    assert got.delivered == got.expected > 100


def progress_references(engine) -> list[str]:
    from sqlmodel import Session, select

    from models import Case

    with Session(engine) as session:
        return list(session.exec(select(Case.reference).order_by(Case.reference)))
