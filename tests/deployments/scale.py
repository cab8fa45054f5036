"""Helpers of the scale-out test: the workers' logs, the runs' artifacts, the cases' end state."""

import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from dla.db import make_engine
from dla.settings import normalise_database_url
from flows.reminders import ARTIFACT_KEY
from models import Case, Deliverable, Notification, Stage, TimelineEvent
from models.enums import NotificationStatus
from models.labels import label
from tests.faults.conftest import HoldingInbox, Smtp
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


SUBMITTED = re.compile(r"Worker '([^']+)' submitting flow run '([0-9a-f-]{36})'")
ABORTED = re.compile(r"Aborted submission of flow run '([0-9a-f-]{36})'")


def dla(env: dict, *args: str) -> None:
    """Run the `dla` command; fail with its output unless it succeeds."""
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dla"), *args], cwd=ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, (done.stdout + done.stderr).decode()


def smtp_server(cleanup: list) -> Smtp:
    """Start a loopback SMTP server that records Message-IDs; its stop goes to `cleanup`."""
    inbox, port = HoldingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    cleanup.append(controller.stop)
    return Smtp(port, inbox)


GENERATED = "deliverable.generated"  # one event per new version of a document


@dataclass
class Snapshot:
    """Each case's end state, by business keys, and the Message-IDs of the rows sent.

    Document versions are counted apart: a stage awaiting its gate is rendered again by each
    pass over it that finds its data changed, so two sweeps passing over a case the same day
    may leave one version more than one sweep did. What must hold is that each version has
    its one event and each document exists in both runs.
    """

    cases: dict[str, dict]
    sent: set[str]
    due_left: int  # rows still planned or claimed although due: a lost claim
    versions: Counter  # by case: document versions (kind, version), then "generated" events


def snapshot(url: str, due: datetime) -> Snapshot:
    """Read every case's end state; rows planned or claimed by `due` count as left behind."""
    engine = make_engine(normalise_database_url(url))
    with Session(engine) as session:
        refs = {c.id: c.reference for c in session.exec(select(Case))}
        cases = {
            r: {"statut": None, "etapes": {}, "journal": Counter(), "relances": {}, "docs": set()}
            for r in refs.values()
        }
        versions: Counter = Counter()
        for c in session.exec(select(Case)):
            cases[c.reference]["statut"] = c.status
        for s in session.exec(select(Stage)):
            cases[refs[s.case_id]]["etapes"][s.key] = s.status
        for e in session.exec(select(TimelineEvent)):
            if e.kind == GENERATED:
                versions[(refs[e.case_id], "events")] += 1
            else:
                cases[refs[e.case_id]]["journal"][(e.kind, e.key)] += 1
        for d in session.exec(select(Deliverable)):
            cases[refs[d.case_id]]["docs"].add((d.kind, d.fmt))
        for case_id, _kind, _version in session.exec(
            select(Deliverable.case_id, Deliverable.kind, Deliverable.version).distinct()
        ):
            versions[(refs[case_id], "versions")] += 1
        rows = list(session.exec(select(Notification)))
    engine.dispose()
    for n in rows:
        cases[refs[n.case_id]]["relances"][n.key] = n.status
    pending = (NotificationStatus.planned, NotificationStatus.claimed)
    return Snapshot(
        cases,
        {n.message_id for n in rows if n.status is NotificationStatus.sent},
        sum(1 for n in rows if n.status in pending and n.due_at <= due),
        versions,
    )


def unmatched_versions(snap: Snapshot) -> dict[str, tuple[int, int]]:
    """Cases whose document versions and "generated" events do not pair one to one."""
    refs = {ref for ref, _ in snap.versions}
    counts = {r: (snap.versions[(r, "versions")], snap.versions[(r, "events")]) for r in refs}
    return {r: c for r, c in counts.items() if c[0] != c[1]}


def by_worker(log_dir: Path) -> dict[str, set[UUID]]:
    """Read from the workers' logs which flow runs each one took (submissions the server
    refused because the other worker had the run already are left out)."""
    taken: dict[str, set[UUID]] = {}
    for log in log_dir.glob("worker-*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        aborted = {UUID(i) for i in ABORTED.findall(text)}
        for worker, run_id in SUBMITTED.findall(text):
            if UUID(run_id) not in aborted:
                taken.setdefault(worker, set()).add(UUID(run_id))
    return taken


def overlapping_pairs(sweeps: list[UUID], workers: dict[str, set[UUID]]) -> int:
    """Count the pairs of sweeps that ran at the same time on different workers."""
    from prefect.client.orchestration import get_client

    where = {run: name for name, taken in workers.items() for run in taken}
    with get_client(sync_client=True) as client:
        found = [client.read_flow_run(i) for i in sweeps]
    spans = {r.id: (r.start_time, r.end_time) for r in found if r.start_time and r.end_time}
    return sum(
        1
        for i, a in enumerate(sweeps)
        for b in sweeps[i + 1 :]
        if a in spans
        and b in spans
        and where.get(a) != where.get(b)
        and spans[a][0] < spans[b][1]
        and spans[b][0] < spans[a][1]
    )


def sent_by_sweep(sweeps: list[UUID]) -> list[int]:
    """Read each sweep's "relances" table: how many messages it sent itself."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    sent = label(NotificationStatus.sent)
    counts = []
    with get_client(sync_client=True) as client:
        for run_id in sweeps:
            tables = client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
            )
            rows = [json.loads(a.data) for a in tables if a.key == ARTIFACT_KEY]
            counts.append(sum(r["statut"] == sent for table in rows for r in table))
    return counts


def stop_stack(env: dict, var: Path) -> None:
    """`make down`, then check that no process it started is left."""
    pids = [int(p.read_text()) for p in (var / "run").glob("*.pid")]
    down = subprocess.run(["bash", "deployments/down.sh"], cwd=ROOT, env=env, capture_output=True)
    assert down.returncode == 0, (down.stdout + down.stderr).decode()
    left = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            left.append(pid)
        except ProcessLookupError:
            pass
    assert not left, f"make down a laissé des processus : {left}"
