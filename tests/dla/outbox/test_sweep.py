"""The sweep claims, re-checks, sends and records: never the same key twice."""

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from dla.clock import FixedClock
from dla.db import make_engine, transaction
from dla.mail.base import Outcome
from dla.outbox.claim import LEASE, claim
from dla.outbox.digest import digest_contexts
from dla.outbox.plan import plan_due_window
from dla.outbox.record import BACKOFF_FIRST
from dla.outbox.sweep import send_batch, sweep
from dla.settings import get_settings
from models import Notification, Step, TimelineEvent
from models.enums import NotificationStatus, StepStatus
from models.types import PARIS
from tests.dla.outbox.conftest import (
    CONSULTANT,
    COORDINATION,
    CountingTransport,
    open_stages,
    outbox_case,
    rows,
)
from tests.factories import save_case

DAY = date(2024, 1, 11)  # the note's J-7 and the period's start are due


def plan(engine, day=DAY, digests=False):
    with transaction(engine) as session:
        plan_due_window(session=session, today=day, digests=digests)


def run(engine, transport, renderer_for, day=DAY, **kw):
    clock = FixedClock.on(day)
    return sweep(
        engine=engine, transport=transport, renderer=renderer_for(clock), clock=clock, **kw
    )


def test_a_sweep_sends_what_is_due_once_and_a_second_sweep_sends_nothing(
    engine, loaded, transport, renderer_for
):
    plan(engine, digests=True)
    due = [
        r.key
        for r in rows(engine, status=NotificationStatus.planned)
        if r.due_at.date() <= DAY and r.rule != "resume_hebdo"
    ]
    first = run(engine, transport, renderer_for)
    second = run(engine, transport, renderer_for)
    assert first.count("sent") == len(due) > 0
    # Nothing falls due within the week yet: the digests have nothing to say and are not sent.
    assert {v.detail for v in first.verdicts if v.row.rule == "resume_hebdo"} == {
        "rien à signaler cette semaine"
    }
    assert second.verdicts == []
    assert set(transport.handed) == set(due) and max(transport.handed.values()) == 1
    sent = rows(engine, status=NotificationStatus.sent)
    assert all(r.sent_at and r.message_id and r.attempts == 1 for r in sent)
    with Session(engine) as session:
        logged = session.exec(
            select(TimelineEvent.key).where(TimelineEvent.kind == "notification.sent")
        ).all()
    assert set(logged) == {f"notification:{k}" for k in due}


def test_two_concurrent_sweeps_deliver_each_key_once(
    engine, database_url, loaded, transport, renderer_for
):
    for day in (DAY - timedelta(days=3), DAY):
        plan(engine, day)
    expected = {r.key for r in rows(engine) if r.status is NotificationStatus.planned}
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        own = make_engine(database_url)
        try:
            barrier.wait()
            run(own, transport, renderer_for, limit=1)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(transport.handed) == expected and set(transport.handed.values()) == {1}


def test_a_stale_claim_is_recovered_and_a_fresh_one_left_alone(
    engine, loaded, transport, renderer_for
):
    plan(engine)
    now = FixedClock.on(DAY).now()
    wall = FixedClock(datetime.now(PARIS))
    stale, fresh = [r.key for r in rows(engine) if r.due_at <= now][:2]
    with transaction(engine) as session:
        for key, age in ((stale, LEASE + timedelta(minutes=1)), (fresh, timedelta(minutes=5))):
            session.exec(
                update(Notification)
                .where(Notification.key == key)
                .values(
                    status=NotificationStatus.claimed,
                    claimed_at=now,
                    not_before=wall.now() - age + LEASE,
                    attempts=1,
                )
            )
    run(engine, transport, renderer_for, wall=wall)
    by_key = {r.key: r for r in rows(engine)}
    assert by_key[stale].status is NotificationStatus.sent and by_key[stale].attempts == 2
    assert by_key[fresh].status is NotificationStatus.claimed and fresh not in transport.handed
    with Session(engine) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.key == f"notification:{stale}")
        ).one()
    assert "renvoi après une interruption" in event.summary


def test_an_outcome_from_a_superseded_claim_is_not_recorded(engine, loaded):
    plan(engine)
    now, wall = FixedClock.on(DAY).now(), datetime.now(PARIS)
    old = claim(engine, now=now, limit=1, wall=wall)
    # The first sweep is presumed dead; a second one takes the row over after the lease.
    later = wall + LEASE + timedelta(minutes=1)
    new = claim(engine, now=now, limit=1, wall=later)
    assert [r.key for r in new] == [old[0].key] and new[0].attempts == old[0].attempts + 1
    from dla.outbox.record import Verdict, record_verdicts

    assert (
        record_verdicts(engine, [Verdict(old[0], "failed", "trop tard")], now=now, wall=later) == 0
    )
    assert rows(engine, key=old[0].key)[0].status is NotificationStatus.claimed


def test_a_done_step_cancels_its_reminder_and_says_so_on_the_timeline(
    engine, loaded, transport, renderer_for
):
    plan(engine)
    with transaction(engine) as session:
        step = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
        step.status, step.done_on = StepStatus.faite, date(2024, 1, 10)
        session.add(step)
    report = run(engine, transport, renderer_for)
    cancelled = [v for v in report.verdicts if v.status == "cancelled"]
    assert [v.row.key.split(":")[1] for v in cancelled] == ["DLA99-2024-01/tache/note-diagnostic"]
    assert not any("note-diagnostic" in k for k in transport.handed)
    with Session(engine) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "notification.cancelled")
        ).one()
    assert "tâche faite le 10 janvier 2024" in event.summary


def test_a_temporary_failure_is_retried_the_same_day_once_its_real_backoff_has_passed(
    engine, loaded, tmp_path, renderer_for
):
    plan(engine)
    wall = datetime.now(PARIS)
    flaky = CountingTransport(tmp_path / "out", {"echeance_proche": Outcome.temporary})
    report = run(engine, flaky, renderer_for, wall=FixedClock(wall))
    retry = rows(engine, rule="echeance_proche")
    assert report.count("retry") == len(retry) > 0
    assert all(r.status is NotificationStatus.planned and r.attempts == 1 for r in retry)
    # The backoff is real time: the row stays due on its simulated day.
    assert all(r.not_before == wall + BACKOFF_FIRST for r in retry)
    assert all(r.due_at <= FixedClock.on(DAY).now() and "temporary" in r.last_error for r in retry)
    # The same day, a pass within the backoff leaves them alone (even a later simulated day)…
    healthy = CountingTransport(tmp_path / "out2")
    soon = FixedClock(wall + BACKOFF_FIRST - timedelta(seconds=1))
    run(engine, healthy, renderer_for, wall=soon)
    run(engine, healthy, renderer_for, day=DAY + timedelta(days=1), wall=soon)
    assert not healthy.handed
    # …and the next pass of the same day after the backoff sends them.
    run(engine, healthy, renderer_for, wall=FixedClock(wall + BACKOFF_FIRST + timedelta(seconds=1)))
    assert {r.status for r in rows(engine, rule="echeance_proche")} == {NotificationStatus.sent}
    assert set(healthy.handed) == {r.key for r in retry}


def test_a_permanent_failure_is_marked_failed_and_shows_in_the_next_digest(
    engine, loaded, tmp_path, renderer_for
):
    plan(engine)
    refusing = CountingTransport(tmp_path / "out", {"periode_debut": Outcome.permanent})
    report = run(engine, refusing, renderer_for)
    failed = rows(engine, status=NotificationStatus.failed)
    assert report.count("failed") == len(failed) > 0
    assert all(r.last_error == "permanent injecté" for r in failed)
    now = datetime.combine(
        DAY + timedelta(days=4), datetime.min.time(), FixedClock.on(DAY).now().tzinfo
    )
    with Session(engine) as session:
        context = digest_contexts([("k", [loaded], "coordination")], session=session, now=now)["k"]
    assert {f["recipient"] for f in context["failed"]} == {r.recipient for r in failed}
    assert all(f["error"] == "permanent injecté" for f in context["failed"])


def test_the_weekly_digest_reaches_the_coordinator_with_the_failures(
    engine, loaded, tmp_path, renderer_for
):
    plan(engine)
    run(
        engine,
        CountingTransport(tmp_path / "a", {"periode_debut": Outcome.permanent}),
        renderer_for,
    )
    monday = date(2024, 1, 15)
    plan(engine, monday, digests=True)
    out = CountingTransport(tmp_path / "b")
    run(engine, out, renderer_for, day=monday)
    digest = [k for k in out.handed if k.startswith("resume_hebdo:coordination:2024-W03")]
    assert digest == [f"resume_hebdo:coordination:2024-W03:{COORDINATION}"]
    text = next((tmp_path / "b").glob("resume_hebdo_coordination*")).read_bytes().decode()
    assert "Messages non remis" in text


def test_the_coordinators_digest_links_each_case_to_the_desk_and_a_contacts_does_not(
    engine, loaded, monkeypatch
):
    monkeypatch.setenv("DLA_PUBLIC_URL", "https://bureau.example.org")
    get_settings.cache_clear()
    now = FixedClock.on(date(2024, 1, 15)).now()
    try:
        with Session(engine) as session:
            contexts = digest_contexts(
                [("c", [loaded], "coordination"), ("p", [loaded], "presidence")],
                session=session,
                now=now,
            )
    finally:
        get_settings.cache_clear()
    (case,) = contexts["c"]["cases"]
    assert case["url"] == f"https://bureau.example.org/cas/{case['reference']}"
    assert all("url" not in c for c in contexts["p"]["cases"])


def test_an_awaited_validation_links_to_the_suspended_run_when_one_is_known(
    engine, tmp_path, transport, renderer_for
):
    save_case(engine, tmp_path, outbox_case())
    open_stages(engine, date(2024, 1, 8))
    monday = date(2024, 1, 29)  # the diagnostic ended on Friday 26 with no decision
    plan(engine, monday)
    now = FixedClock.on(monday).now()
    rows_ = claim(engine, now=now, limit=100)
    url = "http://prefect.local/runs/flow-run/1234"
    links = lambda claimed: {r.key: url for r in claimed if r.rule == "validation_attendue"}  # noqa: E731
    verdicts = send_batch(
        rows_,
        engine=engine,
        transport=transport,
        renderer=renderer_for(FixedClock(now)),
        now=now,
        links=links,
    )
    awaited = [v for v in verdicts if v.row.rule == "validation_attendue"]
    assert awaited and {v.status for v in awaited} == {"sent"}
    files = list((tmp_path / "outbox").glob("validation_attendue_*.eml"))
    assert len(files) == len(awaited)
    assert all(url in f.read_bytes().decode() for f in files)


def test_a_message_refused_by_the_builder_fails_alone_and_the_batch_goes_on(
    engine, loaded, transport, renderer_for
):
    plan(engine)
    with transaction(engine) as session:
        for row in session.exec(select(Notification).where(Notification.recipient == CONSULTANT)):
            row.payload = {**row.payload, "to_name": "Cabinet\nBcc: tous@example.org"}
            session.add(row)
    report = run(engine, transport, renderer_for)
    failed = rows(engine, status=NotificationStatus.failed)
    assert {r.recipient for r in failed} == {CONSULTANT}
    assert all(r.last_error.startswith("message refusé") for r in failed)
    assert report.count("sent") > 0 and not any(CONSULTANT in k for k in transport.handed)
