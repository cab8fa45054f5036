"""The database unavailable when the daily sweep starts: the "relances" flow fails with a French
message naming the database, writes nothing, and Prefect's retries finish the job once the
database answers again."""

import socket
import threading

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from dla.settings import get_settings
from flows.reminders import SweepRequest, sweep_reminders
from models import Notification, TimelineEvent
from models.enums import NotificationStatus
from tests.faults.conftest import LEDGER
from tests.faults.test_killed_sweep import DAY, load_cases
from tests.ports import free_port

UNAVAILABLE = "Base de données injoignable"
# The wrapper these tests own: the declared retries (see the last test), without the wait.
RETRIED = sweep_reminders.with_options(retries=2, retry_delay_seconds=1)


class FlakyProxy:
    """A loopback TCP proxy to the database that drops its first `refuse` connections."""

    def __init__(self, target_port: int, refuse: int) -> None:
        self.target_port, self.refuse, self.refused = target_port, refuse, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed by the test
            if self.refused < self.refuse:
                self.refused += 1
                client.close()  # the database went away: the connection ends at once
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        for s in self.sockets:
            s.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def snapshot(engine) -> tuple[list[tuple], int]:
    """The outbox rows' state and the number of timeline events."""
    with Session(engine) as session:
        outbox = session.exec(
            select(Notification.key, Notification.status, Notification.attempts).order_by(
                Notification.key
            )
        ).all()
        return list(outbox), len(session.exec(select(TimelineEvent.id)).all())


def point_at(monkeypatch, url: str, smtp) -> None:
    monkeypatch.setenv("DLA_DATABASE_URL", url)
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def run_count(state) -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(state.state_details.flow_run_id).run_count


def unreachable(database_url: str, tmp_path) -> str:
    """The same database behind a closed port, or a SQLite path that is a folder."""
    if database_url.startswith("sqlite"):
        (tmp_path / "absente.db").mkdir()
        return f"sqlite:///{tmp_path / 'absente.db'}"
    return make_url(database_url).set(port=free_port()).render_as_string(hide_password=False)


def test_the_sweep_fails_in_french_when_the_database_is_unreachable_and_writes_nothing(
    prefect_server, engine, database_url, dla_env, smtp, tmp_path, monkeypatch
):
    load_cases(engine, tmp_path)
    before = snapshot(engine)
    point_at(monkeypatch, unreachable(database_url, tmp_path), smtp)

    state = RETRIED(SweepRequest(aujourdhui=DAY), return_state=True)

    assert state.is_failed()
    assert UNAVAILABLE in state.message and "Rien n'a été lu ni écrit" in state.message
    assert run_count(state) == 3  # the first run and Prefect's two retries
    assert snapshot(engine) == before
    assert {status for _, status, _ in before[0]} == {NotificationStatus.planned}
    assert smtp.inbox.counts() == {}
    LEDGER.tried("base de données injoignable au démarrage du balayage (3 essais)")


# A database server that goes away and comes back: PostgreSQL only.
@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_prefect_retries_the_sweep_until_the_database_answers_and_sends_each_reminder_once(
    prefect_server, engine, dla_env, smtp, tmp_path, monkeypatch
):
    due = load_cases(engine, tmp_path)
    proxy = FlakyProxy(make_url(dla_env).port or 5432, refuse=1)
    try:
        url = make_url(dla_env).set(port=proxy.port).render_as_string(hide_password=False)
        point_at(monkeypatch, url, smtp)
        state = RETRIED(SweepRequest(aujourdhui=DAY), return_state=True)
    finally:
        proxy.close()

    assert state.is_completed(), state.message
    assert proxy.refused == 1 and run_count(state) == 2
    with Session(engine) as session:
        sent = session.exec(
            select(Notification.key).where(Notification.status == NotificationStatus.sent)
        ).all()
    assert set(due) <= set(sent)
    received = smtp.inbox.counts()
    assert len(received) == len(sent) and set(received.values()) == {1}
    LEDGER.tried(
        "base de données coupée au premier essai, reprise par Prefect",
        messages=sum(received.values()),
    )


def test_the_daily_sweep_is_declared_with_prefect_retries():
    # What RETRIED above assumes of the deployed flow (delay shortened for the tests).
    assert sweep_reminders.retries == 2
    assert 0 < sweep_reminders.retry_delay_seconds <= 600
