"""Helpers of the fault tests: a loopback SMTP server that can hold its answers, processes
killed with SIGKILL at a chosen moment, and a ledger of the faults tried (printed at the end)."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 120


@dataclass
class Tally:
    """What one fault did to the messages: the figures of docs/fiabilite-pannes.md."""

    fault: str
    backend: str = ""
    expected: int | None = None  # distinct messages that had to reach the server
    delivered: int | None = None  # distinct messages the server received
    received: int = 0  # messages the server received, duplicates included
    duplicates: int = 0
    lost: int = 0
    allowed: int = 0  # duplicates the fault may cause by design (one per drop after DATA)


@dataclass
class Ledger:
    """What the fault tests tried and observed, summed over the session."""

    tallies: list[Tally] = field(default_factory=list)

    @property
    def faults(self) -> list[str]:
        return [t.fault for t in self.tallies]

    def tried(
        self,
        fault: str,
        *,
        messages: int = 0,
        duplicates: int = 0,
        lost: int = 0,
        expected: int | None = None,
        delivered: int | None = None,
        allowed: int = 0,
        backend: str = "",
    ) -> None:
        tally = Tally(fault, backend, expected, delivered, messages, duplicates, lost, allowed)
        self.tallies.append(tally)
        print(
            f"\nFaute essayée : {fault} {backend} — {messages} message(s) reçu(s), "
            f"{duplicates} doublon(s), {lost} perte(s)"
        )

    def markdown(self) -> str:
        """Render the tally as the generated page the docs link to."""
        lines = [
            "# Fiabilité des envois : bilan des tests de pannes",
            "",
            "Généré par `make faults` (tests/faults/) ; ne pas modifier à la main.",
            "Doublon : un même Message-ID reçu plus d'une fois par le serveur SMTP ; perte : un",
            "message dû jamais reçu. Seuls un message accepté par le serveur sans que sa",
            "réponse arrive (coupure après DATA) ou soit enregistrée (envoi tué) admettent un",
            "doublon, un seul, avec le même Message-ID.",
            "",
            "| Panne | Base | Attendus | Remis | Reçus | Doublons | Pertes | Doublons admis |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for t in self.tallies:
            figures = [t.expected, t.delivered, t.received, t.duplicates, t.lost, t.allowed]
            cells = " | ".join("—" if x is None else str(x) for x in figures)
            lines.append(f"| {t.fault} | {t.backend or '—'} | {cells} |")
        lines += [
            "",
            f"{len(self.tallies)} panne(s) essayée(s) ; "
            f"{sum(t.duplicates for t in self.tallies)} doublon(s) "
            f"(dont {sum(min(t.duplicates, t.allowed) for t in self.tallies)} admis) ; "
            f"{sum(t.lost for t in self.tallies)} perte(s).",
            "",
        ]
        return "\n".join(lines)


LEDGER = Ledger()
# Where the tally is written: var/ by default, the committed page with `make faults`.
TALLY_PATH = Path(os.environ.get("DLA_FAULT_TALLY", ROOT / "var" / "fiabilite-pannes.md"))


def print_tally(terminalreporter) -> None:
    """Print the faults tried and write their tally (called by tests/conftest.py at the end)."""
    if not LEDGER.tallies:
        return
    terminalreporter.write_sep("-", "fiabilité (tests de pannes)")
    for t in LEDGER.tallies:
        terminalreporter.write_line(
            f"{t.fault} [{t.backend or '—'}] : attendus {t.expected}, remis {t.delivered}, "
            f"{t.duplicates} doublon(s) (admis {t.allowed}), {t.lost} perte(s)"
        )
    terminalreporter.write_line(
        f"{len(LEDGER.tallies)} panne(s) essayée(s) ; "
        f"{sum(t.received for t in LEDGER.tallies)} message(s) reçu(s) ; "
        f"{sum(t.duplicates for t in LEDGER.tallies)} doublon(s) ; "
        f"{sum(t.lost for t in LEDGER.tallies)} perte(s) ; bilan : {TALLY_PATH}"
    )
    TALLY_PATH.parent.mkdir(parents=True, exist_ok=True)
    TALLY_PATH.write_text(LEDGER.markdown(), encoding="utf-8")


class HoldingInbox:
    """An aiosmtpd handler that stores every message, then holds its answer after `hold_after`.

    A held message is counted as received: the server has it, but the client never hears the
    250, as when the sending process is killed between the server's acceptance and its record.
    `refuse_first` messages are first answered 451 (not stored); `drop_first` messages are
    stored, then the connection is cut before the 250 goes out (drop after DATA).
    """

    def __init__(self) -> None:
        self.hold_after: int | None = None
        self.refuse_first = 0
        self.drop_first = 0
        self.received: list[str] = []  # Message-IDs, in arrival order
        self.held = self.refused = self.dropped = 0
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Réessayez plus tard"
            self.received.append(str(message["Message-ID"]))
            drop = self.dropped < self.drop_first
            self.dropped += drop
            hold = self.hold_after is not None and len(self.received) > self.hold_after
            self.held += hold
        if drop:
            server.transport.abort()  # the message is stored; its 250 never leaves
            return "421 coupé"
        while hold and not self.release.is_set():
            await asyncio.sleep(0.02)
        return "250 OK"

    def open(self) -> None:
        """Answer every message at once from now on (held ones included)."""
        self.hold_after = None
        self.release.set()

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.received)


@dataclass
class Smtp:
    port: int
    inbox: HoldingInbox

    def env(self) -> dict[str, str]:
        """The `dla` settings that send through this server (two connections per batch)."""
        return {
            "DLA_SMTP_HOST": "127.0.0.1",
            "DLA_SMTP_PORT": str(self.port),
            "DLA_SMTP_SECURITY": "none",
            "DLA_SMTP_CONCURRENCY": "2",
            "DLA_SMTP_MAX_ATTEMPTS": "1",
            "DLA_SMTP_TIMEOUT": "30",
        }


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """A real SMTP server on loopback whose answers a test can hold."""
    inbox = HoldingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(port, inbox)
    finally:
        inbox.open()
        controller.stop()


def dla_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `dla` subprocess on the test's database and var/ folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    return {**env, "DLA_DATABASE_URL": database_url, "DLA_VAR_DIR": str(var_dir), **extra}


@dataclass
class Child:
    """A subprocess whose output goes to a log file read when something goes wrong."""

    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait(self, timeout: float = WAIT_SECONDS) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"le processus ne s'est pas terminé :\n{self.output()}")

    def kill_when(self, reached: Callable[[], bool], what: str) -> None:
        """SIGKILL the process as soon as `reached()`; fail if it ends first."""
        end = time.monotonic() + WAIT_SECONDS
        while not reached():
            if self.process.poll() is not None:
                pytest.fail(f"fini avant la panne ({what}) :\n{self.output()}")
            if time.monotonic() > end:
                self.process.kill()
                pytest.fail(f"jamais atteint : {what}\n{self.output()}")
            time.sleep(0.01)
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL


def spawn(args: list[str], env: dict[str, str], log: Path) -> Child:
    """Start a subprocess from the project's root, its output in `log`."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Child(process, log)


def run(args: list[str], env: dict[str, str], log: Path) -> Child:
    """Run a subprocess to its end; fail with its output unless it exits with 0."""
    child = spawn(args, env, log)
    if child.wait() != 0:
        pytest.fail(f"{' '.join(args)} a échoué :\n{child.output()}")
    return child
