"""Scale-out for real: `make up-pg` on private PostgreSQL databases, two workers, many cases.

Sweeps of one replayed day overlap on both workers and case flows run beside them; every
reminder reaches the loopback SMTP server exactly once, and every case ends as one process
running the same flows one after the other leaves it (another database, another SMTP server).
"""

import os
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from pprint import pformat
from uuid import UUID

import pytest

from deployments import databases, runs
from deployments.automations import NAME as AUTOMATION
from dla.clock import FixedClock
from dla.settings import get_settings
from tests.deployments.conftest import SCALE_OUT
from tests.deployments.scale import (
    ROOT,
    Snapshot,
    by_worker,
    dla,
    overlapping_pairs,
    sent_by_sweep,
    smtp_server,
    snapshot,
    stop_stack,
    unmatched_versions,
)
from tests.dla.outbox.conftest import outbox_case
from tests.factories import write_case
from tests.ports import free_port

PG_URL = os.environ.get("DLA_TEST_DATABASE_URL")
DAY = date(2024, 1, 29)  # three weeks into the generated cases' diagnostic: reminders of all kinds
# Small batches, so that concurrent sweeps interleave their claims; one sweep more than a worker
# takes at once (DLA_WORKER_LIMIT), so that both workers sweep.
CASES, SWEEPS, LOT = 24, 4, 5
# Working days only: the loader refuses a deadline on a weekend.
NOTE_DAYS = tuple(date(2024, 1, d) for d in (15, 16, 17, 18, 19, 22, 23, 24))
DEPARTEMENTS = ("38", "57", "13", "15")
FLOWED = ["DLA38-2006-01", "DLA38-2024-01", "DLA13-2024-03"]  # a sample, two generated cases
SAMPLES = sorted(str(p) for p in (ROOT / "samples" / "cases").glob("*.yaml"))
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not PG_URL,
        reason="DLA_TEST_DATABASE_URL non défini : test de passage à l'échelle (PostgreSQL) ignoré",
    ),
]


def generated_cases(folder: Path) -> list[str]:
    """Write the outbox case CASES times, under other references, départements and deadlines."""
    folder.mkdir()
    paths = []
    for n in range(1, CASES + 1):
        dep = DEPARTEMENTS[(n - 1) % len(DEPARTEMENTS)]
        data = outbox_case(dep, note=NOTE_DAYS[n % len(NOTE_DAYS)])
        paths.append(str(write_case(folder, data | {"reference": f"DLA{dep}-2024-{n:02d}"})))
    return paths


def requests() -> list[tuple[str, dict]]:
    """The runs, in creation order: the sweeps of the day, then the case flows."""
    day = DAY.isoformat()
    sweep = (runs.SWEEP, {"demande": {"aujourdhui": day, "lot": LOT}})
    cases = [(runs.CASE, {"cas": {"reference": r, "aujourdhui": day}}) for r in FLOWED]
    return [sweep] * SWEEPS + cases


@dataclass
class Outcome:
    states: dict
    sweeps: list[UUID]
    overlaps: int  # pairs of sweeps that ran at the same time on different workers
    per_sweep: list[int]  # messages each sweep sent (claims shared between sweeps)
    workers: dict[str, set[UUID]]
    received: Counter
    reference_received: Counter
    scaled: Snapshot
    reference: Snapshot


def run_in_one_process(env: dict) -> None:
    """The same runs, one after the other, in this process (the single-worker reference)."""
    from flows.case_flow import CaseRun, run_case
    from flows.reminders import SweepRequest, sweep_reminders

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            for name, parameters in requests():
                if name == runs.SWEEP:
                    sweep_reminders(SweepRequest(**parameters["demande"]))
                else:
                    run_case(CaseRun(**parameters["cas"]))
        finally:
            get_settings.cache_clear()


def pause_example_automation() -> None:
    """Pause the automation `make up-pg` installs: the reference, one process without Prefect,
    has none, and what is compared is what the flows do (its alert is tested on its own)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        (automation,) = client.read_automations_by_name(AUTOMATION)
        client.pause_automation(automation.id)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    tmp, suffix = tmp_path_factory.mktemp("scale-out"), uuid.uuid4().hex[:8]
    server = PG_URL.split("?")[0].rsplit("/", 1)[0]
    urls = {n: f"{server}/dla_scale_{n}_{suffix}" for n in ("prefect", "cases", "reference")}
    generated = generated_cases(tmp / "cas")
    cleanup: list = []
    try:
        smtp, reference_smtp = smtp_server(cleanup), smtp_server(cleanup)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
        clean["DLA_STAGE_DELIVERABLE_FORMATS"] = '["html"]'
        var, port = tmp / "var", free_port()
        env = (
            clean
            | smtp.env()
            | {
                "DLA_VAR_DIR": str(var),
                "DLA_UI_PORT": str(port),
                "DLA_PG_URL": server,
                "DLA_PG_PREFECT_DB": f"dla_scale_prefect_{suffix}",
                "DLA_PG_CASES_DB": f"dla_scale_cases_{suffix}",
                "DLA_POOL": f"dla-test-{suffix}",
                "DLA_UP_REPLAY": "0",
                "DLA_WORKER_LIMIT": "3",
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # no 8:00 sweep of today
                "PREFECT_WORKER_QUERY_SECONDS": "1",
            }
        )
        cleanup.append(lambda: stop_stack(env, var))
        begun = time.monotonic()
        up = subprocess.run(
            ["bash", "deployments/up-pg.sh"], cwd=ROOT, env=env, capture_output=True
        )
        assert up.returncode == 0, (up.stdout + up.stderr).decode()
        dla(env | {"DLA_DATABASE_URL": urls["cases"]}, "case", "load", *generated)
        started = time.monotonic()
        api = f"http://127.0.0.1:{port}/api"
        with temporary_settings({PREFECT_API_URL: api}):
            pause_example_automation()
            ids = runs.start(requests())
            states = runs.wait(ids, 300)
            workers = by_worker(var / "log")
            overlaps = overlapping_pairs(ids[:SWEEPS], workers)
            per_sweep = sent_by_sweep(ids[:SWEEPS])
        scaled_seconds = time.monotonic() - started

        reference_env = (
            clean
            | reference_smtp.env()
            | {
                "DLA_DATABASE_URL": urls["reference"],
                "DLA_VAR_DIR": str(tmp / "reference-var"),
            }
        )
        databases.ensure(urls["reference"])
        dla(reference_env, "init")
        dla(reference_env, "case", "load", *SAMPLES)
        dla(reference_env, "case", "load", *generated)
        # Its flow runs are recorded by the stack's own Prefect server (no deployment, no
        # worker): a server of its own would cost this worker seconds of CPU to start.
        with temporary_settings({PREFECT_API_URL: api}):
            run_in_one_process(reference_env)
        result = Outcome(
            states,
            ids[:SWEEPS],
            overlaps,
            per_sweep,
            workers,
            smtp.inbox.counts(),
            reference_smtp.inbox.counts(),
            snapshot(urls["cases"], FixedClock.on(DAY).now()),
            snapshot(urls["reference"], FixedClock.on(DAY).now()),
        )
        SCALE_OUT.append(summary(result, scaled_seconds, time.monotonic() - begun))
        yield result
    finally:
        for step in reversed(cleanup):
            step()
        for url in urls.values():
            databases.drop(url)


def difference(single: dict, scaled: dict) -> dict:
    """What differs between a case's two end states: (single process, scale-out) per item."""
    out = {}
    for field, value in single.items():
        other = scaled.get(field)
        if isinstance(value, dict) and isinstance(other, dict):
            out |= {
                (field, k): (value.get(k), other.get(k))
                for k in value.keys() | other.keys()
                if value.get(k) != other.get(k)
            }
        elif value != other:
            out[field] = (value, other)
    return out


def losses(result: Outcome) -> set[str]:
    """Message-IDs sent (by the records, or by the single-process run) that never arrived."""
    return (result.scaled.sent | set(result.reference_received)) - set(result.received)


def duplicates(received: Counter) -> int:
    return sum(n - 1 for n in received.values())


def total(snap: Snapshot) -> int:
    return sum(n for (_, what), n in snap.versions.items() if what == "versions")


def summary(result: Outcome, scaled_seconds: float, total_seconds: float) -> str:
    same = sum(result.scaled.cases.get(r) == c for r, c in result.reference.cases.items())
    taken = ", ".join(f"{w} {len(ids)}" for w, ids in sorted(result.workers.items()))
    return (
        f"{len(result.workers)} workers, {len(result.scaled.cases)} cas, {SWEEPS} balayages "
        f"simultanés (lots de {LOT}) et {len(FLOWED)} flux de cas en {scaled_seconds:.0f} s ; "
        f"{sum(result.received.values())} message(s) reçu(s) pour "
        f"{len(result.scaled.sent)} relance(s) envoyée(s), {duplicates(result.received)} "
        f"doublon(s), {len(losses(result))} perte(s) ; {same}/{len(result.reference.cases)} cas "
        f"dans l'état d'une exécution sur un seul processus ({total_seconds:.0f} s en tout) ; "
        f"exécutions par worker : {taken} ; {result.overlaps} paire(s) de balayages simultanés "
        f"sur deux workers, messages envoyés par chacun : {result.per_sweep} ; {total(result.scaled)} versions de livrables "
        f"({total(result.reference)} sur un seul processus)"
    )


def test_both_workers_take_runs_and_sweep_at_the_same_time(outcome):
    bad = {i: s.name if s else None for i, s in outcome.states.items() if not runs.settled(s)}
    assert bad == {}
    assert all(outcome.states[i].is_completed() for i in outcome.sweeps)
    assert len(outcome.workers) == 2 and all(outcome.workers.values())
    assert outcome.overlaps >= 1


def test_every_reminder_reaches_the_smtp_server_exactly_once(outcome):
    print(SCALE_OUT[-1])
    assert duplicates(outcome.received) == 0
    assert losses(outcome) == set()
    assert set(outcome.received) == outcome.scaled.sent
    assert outcome.scaled.due_left == 0
    assert len(outcome.scaled.sent) > CASES  # several reminders per case, not a trickle


def test_every_case_ends_as_one_process_running_the_same_flows_leaves_it(outcome):
    assert len(outcome.reference.cases) == CASES + len(SAMPLES)
    differing = {
        ref: difference(state, outcome.scaled.cases.get(ref, {}))
        for ref, state in outcome.reference.cases.items()
        if outcome.scaled.cases.get(ref) != state
    }
    assert differing == {}, pformat(differing)
    assert unmatched_versions(outcome.scaled) == unmatched_versions(outcome.reference) == {}
    assert outcome.reference_received == outcome.received
