"""A sweep killed with SIGKILL while a batch is in flight, then run again: nothing is lost, and
only the messages of the batch in flight can arrive twice (docs/reliability.md)."""

import sys
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from dla import lifecycle
from dla.clock import FixedClock
from dla.db import transaction
from dla.mail.message import message_id
from dla.outbox.claim import LEASE
from dla.outbox.plan import plan_due_window
from models import Notification, TimelineEvent
from models.enums import NotificationStatus
from models.types import PARIS
from tests.dla.outbox.conftest import outbox_case
from tests.factories import save_case
from tests.faults.conftest import BIN, LEDGER, dla_env, run, spawn
from tests.faults.tally import backend, figures

REFERENCES = ("DLA99-2024-01", "DLA99-2024-02", "DLA99-2024-03")
DAY = date(2024, 1, 29)  # three weeks into the diagnostic: reminders of every kind are due
LIMIT = 4  # rows per batch of the plain sweep
RESENT = "renvoi après une interruption"
DOMAIN = "dla.example.org"  # of the default sender: Message-IDs derive from it and the key


def load_cases(engine, tmp_path) -> list[str]:
    """Save three cases with their diagnostic opened, plan the day; return the keys due."""
    for reference in REFERENCES:
        save_case(engine, tmp_path, outbox_case() | {"reference": reference})
        with transaction(engine) as session:
            lifecycle.open_stage(
                reference, "diagnostic", session=session, clock=FixedClock.on(date(2024, 1, 8))
            )
    now = FixedClock.on(DAY).now()
    with transaction(engine) as session:
        plan_due_window(session=session, today=DAY, now=now, digests=False)
    return [r.key for r in outbox(engine) if r.due_at <= now]


def outbox(engine) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification).order_by(Notification.id)))


def keys(engine, status: NotificationStatus) -> set[str]:
    return {r.key for r in outbox(engine) if r.status is status}


def expire_leases(engine) -> None:
    """Age the claims as if their lease had run out in real time (a day went by)."""
    with transaction(engine) as session:
        session.exec(
            update(Notification)
            .where(Notification.status == NotificationStatus.claimed)
            .values(not_before=datetime.now(PARIS) - timedelta(minutes=1))
        )


def resent_events(engine) -> int:
    with Session(engine) as session:
        summaries = session.exec(
            select(TimelineEvent.summary).where(TimelineEvent.kind == "notification.sent")
        )
        return sum(RESENT in s for s in summaries)


def check_delivery(engine, due: list[str], received: Counter) -> tuple[int, int]:
    """Every due row was sent and reached the server, or was cancelled by the re-check with its
    reason; return (duplicates, losses)."""
    rows = {r.key: r for r in outbox(engine)}
    ids = {k: message_id(k, DOMAIN) for k in rows}
    assert not keys(engine, NotificationStatus.claimed)
    cancelled = {k for k in due if rows[k].status is NotificationStatus.cancelled}
    assert all(rows[k].last_error for k in cancelled)
    lost = [k for k in set(due) - cancelled if received[ids[k]] == 0]
    assert lost == []
    assert {rows[k].status for k in set(due) - cancelled} == {NotificationStatus.sent}
    # Every message that arrived belongs to a row recorded as sent, or dropped after the kill.
    sent = {k for k, r in rows.items() if r.status is NotificationStatus.sent}
    assert set(received) <= {ids[k] for k in sent | cancelled}
    return sum(n - 1 for n in received.values()), len(lost)


def test_a_sweep_killed_mid_batch_loses_nothing_and_resends_only_that_batch(
    engine, database_url, smtp, tmp_path
):
    due = load_cases(engine, tmp_path)
    assert len(due) > 3 * LIMIT
    env = dla_env(database_url, tmp_path / "var", **smtp.env())
    at = FixedClock.on(DAY).now()
    sweeper = [sys.executable, "-m", "tests.faults.sweeper", "--limit", str(LIMIT), "--at"]
    # Two batches answered, then the third one's first message; the server then keeps quiet.
    smtp.inbox.hold_after = 2 * LIMIT + 1
    killed = spawn([*sweeper, at.isoformat()], env, tmp_path / "killed.log")
    killed.kill_when(lambda: smtp.inbox.held >= 2, "deux messages du 3e lot sans réponse")
    in_flight = keys(engine, NotificationStatus.claimed)
    before = smtp.inbox.counts()
    assert len(in_flight) == LIMIT
    assert len(keys(engine, NotificationStatus.sent)) == 2 * LIMIT
    assert sum(before.values()) == 2 * LIMIT + 3

    smtp.inbox.open()
    # The claim lease has run out (real time): the next sweep takes the interrupted batch back.
    wall = (datetime.now(PARIS) + LEASE + timedelta(minutes=1)).isoformat()
    run([*sweeper, at.isoformat(), "--wall", wall], env, tmp_path / "rerun.log")

    duplicates, lost = check_delivery(engine, due, smtp.inbox.counts())
    # Only the batch in flight is sent again: the three messages the server had from it.
    assert duplicates == sum(before.values()) - 2 * LIMIT == 3 <= LIMIT
    doubled = {mid for mid, n in smtp.inbox.counts().items() if n > 1}
    assert doubled <= {message_id(k, DOMAIN) for k in in_flight}
    assert resent_events(engine) == len(in_flight)
    got = figures(engine, smtp.inbox.counts(), until=at)
    assert got.duplicates == duplicates and len(got.lost) == lost and not got.misrecorded
    LEDGER.tried(
        "SIGKILL pendant un lot du balayage (fonction sweep)",
        backend=backend(engine),
        **got.ledger(),
        # Accepted by the server, never recorded: sent again once, like a drop after DATA.
        allowed=sum(before.values()) - 2 * LIMIT,
    )


def test_dla_remind_killed_while_sending_then_run_the_next_day_delivers_everything(
    engine, database_url, smtp, tmp_path
):
    due = load_cases(engine, tmp_path)
    env = dla_env(database_url, tmp_path / "var", **smtp.env())
    remind = [str(BIN / "dla"), "remind", "--no-digest", "--today"]
    smtp.inbox.hold_after = 3
    killed = spawn([*remind, DAY.isoformat()], env, tmp_path / "killed.log")
    killed.kill_when(lambda: smtp.inbox.held >= 2, "deux messages sans réponse")
    in_flight = keys(engine, NotificationStatus.claimed)
    before = smtp.inbox.counts()
    # One batch (up to 200 rows) holds everything due: nothing was recorded before the kill.
    assert in_flight == set(due) and not keys(engine, NotificationStatus.sent)

    smtp.inbox.open()
    # The next working day, the daily command finds the interrupted claims stale: their
    # lease (real time) has run out meanwhile.
    expire_leases(engine)
    run([*remind, (DAY + timedelta(days=1)).isoformat()], env, tmp_path / "rerun.log")

    received = smtp.inbox.counts()
    duplicates, lost = check_delivery(engine, due, received)
    # The five messages the server had come again, unless the re-check dropped one meanwhile
    # (an overdue reminder replaced by the next day's, recorded as cancelled with its reason).
    still_sent = keys(engine, NotificationStatus.sent)
    again = sum(
        n for mid, n in before.items() if mid in {message_id(k, DOMAIN) for k in still_sent}
    )
    assert duplicates == again <= sum(before.values()) == 5 <= len(in_flight)
    assert resent_events(engine) == len(in_flight & still_sent)
    got = figures(engine, received, until=FixedClock.on(DAY + timedelta(days=1)).now())
    assert got.duplicates == duplicates and len(got.lost) == lost
    LEDGER.tried(
        "SIGKILL pendant l'envoi de `dla remind`",
        backend=backend(engine),
        # Delivered before the kill, then cancelled by the next day's re-check: still counted.
        allowed=sum(before.values()),
        **got.ledger() | {"expected": got.expected + len(got.misrecorded)},
    )
