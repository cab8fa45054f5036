"""A backup taken while a sweep sends restores to the same cases, timelines and outbox.

What the claim design guarantees across a backup (see docs/backup.md): a row the backup saw
`sent` is never sent again by the restored copy; a row the sweep held `claimed` at the backup
instant stays claimed in the copy, held by its lease, even when the server had already accepted
its message; once the lease expires it is sent again with the same Message-ID (at most one
duplicate per row in flight at the backup instant). Rows still `planned` at the backup instant
are sent by the restored copy: the live system may have sent them after the backup (the point
a restore returns to), again with the same Message-IDs.
"""

import threading
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from dla import lifecycle
from dla.backup.run import backup, restore
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from dla.mail.config import Security, SmtpConfig
from dla.mail.smtp import SmtpTransport
from dla.outbox.days import remind
from dla.outbox.sending import mail_renderer
from models import Notification
from models.enums import NotificationStatus
from tests.dla.backup.conftest import Inbox, smtp_server
from tests.dla.outbox.conftest import outbox_case
from tests.factories import save_case

DAY = date(2024, 1, 15)  # deadlines near and a period's end: five messages per case
CASES = 3
BATCH = 2
GATE_AT = 5  # the first message of the third batch: two batches recorded before the backup


ORGANISATIONS = ("dla-test", "aci-un", "ai-deux", "cabinet", "reseau")


def variant(value, n: int, key: str = ""):
    """Return the outbox test case as case n: its own reference, organisations and people."""
    if isinstance(value, dict):
        return {k: variant(v, n, k) for k, v in value.items() if not (n > 1 and k == "siret")}
    if isinstance(value, list):
        return [variant(v, n, key) for v in value]
    if not isinstance(value, str):
        return value
    if key in ("cle", "organisation", "porteur_dla") and value in ORGANISATIONS:
        return f"{value}-{n}"
    if key == "reference":
        return f"DLA99-2024-{n:02d}"
    return value.replace(".example.org", f"-{n}.example.org")


def load_cases(engine, tmp_path) -> None:
    for n in range(1, CASES + 1):
        save_case(engine, tmp_path, variant(outbox_case(), n), day=date(2024, 1, 5))
        with transaction(engine) as session:
            clock = FixedClock.on(date(2024, 1, 8))
            lifecycle.open_stage(f"DLA99-2024-{n:02d}", "diagnostic", session=session, clock=clock)


def transport(port: int) -> SmtpTransport:
    # A long timeout: the held reply must not time out.
    config = SmtpConfig(
        "127.0.0.1", port, Security.none, concurrency=2, max_attempts=1, timeout=180
    )
    return SmtpTransport(config)


def day_of_reminders(engine, place, port: int):
    clock = FixedClock.on(DAY)
    renderer = mail_renderer(place.settings, clock)
    return remind(
        engine=engine,
        transport=transport(port),
        renderer=renderer,
        clock=clock,
        limit=BATCH,
        digests=False,
    )


def outbox(engine) -> dict[str, Notification]:
    with Session(engine) as session:
        return {n.key: n for n in session.exec(select(Notification)).scalars()}


def content(engine) -> dict[str, list]:
    """Every table's rows; the outbox and the timeline without per-attempt bookkeeping."""
    tables = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(select(table))]
            if table.name == "notification":
                keep = ("key", "status", "message_id", "recipient", "rule", "due_at")
                rows = [{k: r[k] for k in keep} for r in rows]
            elif table.name == "timelineevent":
                rows = [{k: r[k] for k in ("case_id", "kind", "key", "at")} for r in rows]
            tables[table.name] = sorted(rows, key=repr)
    return tables


def test_a_backup_during_a_sweep_restores_and_replays_without_sending_twice(
    engine, source, target, tmp_path
):
    load_cases(engine, tmp_path)
    document = source.var / "livrables" / "dla99-2024-01" / "note-v1.html"
    document.parent.mkdir(parents=True)
    document.write_text("<p>Note de diagnostic</p>", encoding="utf-8")

    live = Inbox(gate_at=GATE_AT)
    server, port = smtp_server(live)
    failures = []

    def live_sweep():
        try:
            day_of_reminders(engine, source, port)
        except BaseException as exc:  # noqa: BLE001  (reported by the main thread)
            failures.append(exc)
            live.holding.set()

    sweep = threading.Thread(target=live_sweep)
    try:
        sweep.start()
        assert live.holding.wait(60), "the sweep never reached its third batch"
        assert not failures, failures
        for _ in range(100):  # the batch's other message is accepted meanwhile
            if len(live.received) == GATE_AT + 1:
                break
            threading.Event().wait(0.1)
        accepted_before_backup = list(live.received)
        archive = backup(source.settings, tmp_path / "pendant-le-balayage.tar").archive
    finally:
        live.release.set()
        sweep.join(120)
        server.stop()
    assert not failures, failures
    original = outbox(engine)
    assert len(original) > GATE_AT + 1 and len(live.received) == len(original)
    assert Counter(live.received).most_common(1)[0][1] == 1

    restore(target.settings, archive)
    restored = make_engine(target.url)
    try:
        copy = outbox(restored)
        sent = {k for k, n in copy.items() if n.status == NotificationStatus.sent}
        in_flight = {k for k, n in copy.items() if n.status == NotificationStatus.claimed}
        planned = {k for k, n in copy.items() if n.status == NotificationStatus.planned}
        assert len(sent) == GATE_AT - 1 and len(in_flight) == BATCH and planned
        # Both in-flight messages had reached the server before the backup: in the copy they
        # are claimed, not sent, and their Message-ID is the one the live sweep used.
        assert {original[k].message_id for k in in_flight} <= set(accepted_before_backup)
        assert (target.var / "livrables" / "dla99-2024-01" / "note-v1.html").read_text(
            encoding="utf-8"
        ) == "<p>Note de diagnostic</p>"

        # The day replayed on the restored copy, against another server.
        replay = Inbox()
        server, port = smtp_server(replay)
        try:
            day_of_reminders(restored, target, port)
            again = outbox(restored)
            # Nothing the backup knew as sent or in flight goes out again; nothing twice.
            assert Counter(replay.received).most_common(1)[0][1] == 1
            assert set(replay.received) == {original[k].message_id for k in planned}
            assert all(again[k].status == NotificationStatus.claimed for k in in_flight)

            # The lease of the rows in flight expires in real time (their sweep is gone): they
            # go out once more, with the same Message-ID, and the copy then matches the original.
            with transaction(restored) as session:
                for key in in_flight:
                    row = session.get(Notification, again[key].id)
                    row.not_before -= timedelta(hours=2)
            day_of_reminders(restored, target, port)
        finally:
            server.stop()
        assert Counter(replay.received).most_common(1)[0][1] == 1
        assert set(replay.received) == {original[k].message_id for k in planned | in_flight}
        assert content(restored) == content(engine)
    finally:
        restored.dispose()
