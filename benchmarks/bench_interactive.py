"""What a person waits for: `make up` to a usable desk, and a submitted form to a waiting case.

`make up` (deployments/up.sh) runs on private ports and a private var/ folder, from the
existing .venv; it is timed until the desk's sign-in page answers 200. The form is the one
of the served `ouvrir-un-cas` deployment, submitted through Prefect's API as the UI does (a
flow run created from the deployment with the form's values); it is timed until the case's
own run is suspended at its first gate, as the served runner takes it up.
"""

import os
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from benchmarks.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
FIRST_GATE = "mobilisation-0"  # the pause key of the "poste partagé" journey's first gate


@dataclass
class Stack:
    """A `make up` stack: its environment, URLs and how long it took to come up."""

    env: dict[str, str]
    var: Path
    seconds: float = 0.0  # until `make up` returned (and the desk answered)
    desk_seconds: float | None = None  # until the desk's sign-in page first answered 200
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.env['DLA_UI_PORT']}/api"

    @property
    def desk(self) -> str:
        return f"http://127.0.0.1:{self.env['DLA_DESK_PORT']}"


def stack_env(var: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a private `make up`: ours without DLA_/PREFECT_, private ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    ui = free_port()
    env |= {"DLA_VAR_DIR": str(var), "DLA_UI_PORT": str(ui)}
    env["DLA_DESK_PORT"] = str(free_port(taken=(ui,)))
    return env | (extra or {})


def answers(url: str) -> int | None:
    """Return the HTTP status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


@contextmanager
def stack(var: Path, extra: dict[str, str] | None = None) -> Iterator[Stack]:
    """Run `make up` (deployments/up.sh) privately, timed to the desk's sign-in page; then down."""
    s = Stack(stack_env(var, extra), var)
    started = time.perf_counter()
    try:
        up = subprocess.Popen(
            ["bash", "deployments/up.sh"],
            cwd=ROOT,
            env=s.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        watch = threading.Thread(target=_watch_desk, args=(s, started, up), daemon=True)
        watch.start()
        lines = [(time.perf_counter() - started, line.strip()) for line in up.stdout]
        if up.wait() != 0:
            raise RuntimeError("make up failed:\n" + "\n".join(x for _, x in lines))
        while answers(f"{s.desk}/connexion") != 200:
            if time.perf_counter() - started > 600:
                raise RuntimeError("the desk's sign-in page does not answer 200")
            time.sleep(0.1)
        s.seconds = time.perf_counter() - started
        watch.join()
        # This thread's own 200 proves the desk usable by then: the watcher, polling in
        # parallel, may note its answer a moment later.
        s.desk_seconds = min(s.desk_seconds or s.seconds, s.seconds)
        s.phases = phases(lines, s.seconds)
        yield s
    finally:
        subprocess.run(
            ["bash", "deployments/down.sh"], cwd=ROOT, env=s.env, capture_output=True, text=True
        )


def _watch_desk(s: Stack, started: float, up: subprocess.Popen) -> None:
    """Note when the desk's sign-in page first answers 200, while `make up` goes on."""
    url = f"{s.desk}/connexion"
    while answers(url) != 200:
        if up.poll() is not None and up.returncode != 0:
            return
        time.sleep(0.2)
    s.desk_seconds = time.perf_counter() - started


# What up.sh prints when each step starts (its own French lines), and the step's name here.
MILESTONES = (
    ("deployments :", "deployments served"),
    ("Rejeu des cas", "replay and waiting runs"),
    ("desk :", "desk and account"),
)


def phases(lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Split `make up`'s time by the lines it printed: seconds of each step, in order."""
    starts = [(0.0, "server and samples")]
    for prefix, name in MILESTONES:
        at = next((t for t, line in lines if line.startswith(prefix)), None)
        if at is not None:
            starts.append((at, name))
    starts.sort()
    ends = [t for t, _ in starts[1:]] + [total]
    return {name: round(end - t, 1) for (t, name), end in zip(starts, ends, strict=True)}


def form(reference: str, today: date) -> dict:
    """The values a coordinator types in the `ouvrir-un-cas` form (as test_browser.py does).

    Choices are sent as the form shows them (French words), as the UI sends them.
    """
    from dla.casefile.form import NewCaseForm

    codes = {
        "reference": reference,
        "titre": "Poste partagé d'encadrant technique",
        "modele": "poste_partage",
        "departement": "63",
        # Opened four months ago: its mobilisation is over and waits for the coordination.
        "debut": (today - timedelta(days=120)).isoformat(),
        "origine": "collectif",
        "mutualisations": ["poste_partage"],
        "perimetre": "Deux ACI du Livradois",
        "porteur_dla": "DLA du Puy-de-Dôme",
        "coordination": "coordination@dla63.example.org",
        "structures": [{"cle": "aci-livradois", "nom": "ACI du Livradois", "siae": "ACI"}],
    }
    return NewCaseForm.model_validate(codes).model_dump(mode="json", exclude_defaults=True)


def wait_idle(api: str, timeout: float = 600) -> float:
    """Wait until no run is due or going (make up's sweep, say); return the seconds waited."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.types._datetime import now

    going = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING]
    started = time.perf_counter()
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        while time.perf_counter() - started < timeout:
            due = FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=going)),
                expected_start_time=FlowRunFilterExpectedStartTime(before_=now("UTC")),
            )
            if not client.read_flow_runs(flow_run_filter=due):
                return time.perf_counter() - started
            time.sleep(0.5)
    raise RuntimeError(f"runs still going after {timeout:.0f} s")


def open_case(api: str, reference: str, today: date, timeout: float = 300) -> float:
    """Submit the form; return the seconds until the case's run waits at its first gate."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("ouverture/ouvrir-un-cas")
        started = time.perf_counter()
        opening = client.create_flow_run_from_deployment(
            deployment.id, parameters={"nouveau": form(reference, today)}
        )
        named = FlowRunFilter(name=FlowRunFilterName(any_=[reference]))
        while time.perf_counter() - started < timeout:
            for run in client.read_flow_runs(flow_run_filter=named):
                state = run.state
                waiting = state and state.name == "Suspended" and run.id != opening.id
                if waiting and state.state_details.pause_key == FIRST_GATE:
                    return time.perf_counter() - started
            failed = client.read_flow_run(opening.id).state
            if failed and (failed.is_failed() or failed.is_crashed()):
                raise RuntimeError(f"the opening run of {reference} ended {failed.name}")
            time.sleep(0.05)
    raise RuntimeError(f"{reference} does not wait at its first gate after {timeout:.0f} s")
