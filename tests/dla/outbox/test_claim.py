"""Claims hold their rows in real time: a sweep simulating another day never takes them over."""

from datetime import date, datetime, timedelta

from dla.clock import FixedClock
from dla.db import transaction
from dla.outbox.claim import LEASE, claim
from dla.outbox.plan import plan_due_window
from dla.outbox.record import record_verdicts
from dla.outbox.sweep import send_batch, sweep
from models.enums import NotificationStatus
from models.types import PARIS
from tests.dla.outbox.conftest import CountingTransport, rows

DAY = date(2024, 1, 11)
LATER = date(2024, 2, 5)  # weeks on: the re-check would find the first day's rows superseded


def plan(engine, day: date) -> None:
    with transaction(engine) as session:
        plan_due_window(session=session, today=day, digests=False)


def test_a_sweep_on_a_later_simulated_day_leaves_the_rows_in_flight_alone(
    engine, loaded, tmp_path, renderer_for
):
    plan(engine, DAY)
    wall = datetime.now(PARIS)
    now = FixedClock.on(DAY).now()
    first = CountingTransport(tmp_path / "a")
    held = claim(engine, now=now, limit=100, wall=wall)
    verdicts = send_batch(
        held, engine=engine, transport=first, renderer=renderer_for(FixedClock(now)), now=now
    )
    assert held and {v.status for v in verdicts} == {"sent"}
    # A second sender simulating a day weeks later runs a minute later (real time).
    plan(engine, LATER)
    second = CountingTransport(tmp_path / "b")
    later = FixedClock.on(LATER)
    sweep(
        engine=engine,
        transport=second,
        renderer=renderer_for(later),
        clock=later,
        wall=FixedClock(wall + timedelta(minutes=1)),
    )
    ours = {r.key for r in held}
    assert not ours & set(second.handed)
    # The first sender records its outcome: every row it delivered is marked sent, none cancelled.
    assert record_verdicts(engine, verdicts, now=now, wall=wall + timedelta(minutes=2)) == len(held)
    by_key = {r.key: r for r in rows(engine)}
    assert {by_key[k].status for k in ours} == {NotificationStatus.sent}
    assert {by_key[k].attempts for k in ours} == {1}


def test_a_claim_is_taken_over_only_once_its_lease_has_run_out_in_real_time(engine, loaded):
    plan(engine, DAY)
    wall = datetime.now(PARIS)
    now = FixedClock.on(DAY).now()
    held = claim(engine, now=now, limit=100, wall=wall)
    # However late the simulated day, the lease holds until its real end…
    far = FixedClock.on(date(2025, 1, 6)).now()
    assert claim(engine, now=far, limit=100, wall=wall + LEASE - timedelta(seconds=1)) == []
    # …then a sweep of the same day takes the rows back, flagged as possibly sent already.
    back = claim(engine, now=now, limit=100, wall=wall + LEASE + timedelta(seconds=1))
    assert {r.key for r in back} == {r.key for r in held}
    assert all(r.reclaimed and r.attempts == 2 for r in back)
