"""Start deployment runs and wait for the workers to take them (`make up-pg`, scale-out test).

Usage: `python -m deployments.runs rejouer AAAA-MM-JJ REF…` replays each case up to the date on
the work pool (the workers share the cases), then runs the daily sweep of that date.
"""

import sys
import time
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import State

CASE = "accompagnement/suivre-un-cas"
SWEEP = "relances/relances-quotidiennes"


def start(requests: list[tuple[str, dict]]) -> list[UUID]:
    """Create one flow run per (deployment name, parameters), to run now; return their ids."""
    ids: dict[str, UUID] = {}
    runs = []
    with get_client(sync_client=True) as client:
        for name, parameters in requests:
            if name not in ids:
                ids[name] = client.read_deployment_by_name(name).id
            runs.append(client.create_flow_run_from_deployment(ids[name], parameters=parameters))
    return [r.id for r in runs]


def settled(state: State | None) -> bool:
    """A run is settled when it has ended, waits for a decision (Suspended), or has failed and
    waits for its retry (reported at once rather than awaited for minutes)."""
    return state is not None and (
        state.is_final() or state.is_paused() or state.name == "AwaitingRetry"
    )


def wait(run_ids: list[UUID], seconds: float) -> dict[UUID, State | None]:
    """Poll until every run is settled or the time is up; return each run's last state."""
    end = time.monotonic() + seconds
    with get_client(sync_client=True) as client:
        while True:
            found = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=run_ids)),
                limit=len(run_ids),
            )
            states = {r.id: r.state for r in found} | {
                i: None for i in run_ids if i not in {r.id for r in found}
            }
            if all(settled(s) for s in states.values()) or time.monotonic() > end:
                return states
            time.sleep(1)


def replay(day: str, references: list[str], seconds: float = 900) -> bool:
    """Replay the cases up to `day` on the pool, then sweep that day; tell whether all ended well."""
    cases = [
        (CASE, {"cas": {"reference": r, "rejouer": True, "aujourdhui": day}}) for r in references
    ]
    ok = _report(wait(start(cases), seconds), "rejeu")
    sweep = [(SWEEP, {"demande": {"aujourdhui": day}})]
    return _report(wait(start(sweep), seconds), f"balayage du {day}") and ok


def _report(states: dict[UUID, State | None], what: str) -> bool:
    bad = {i: s for i, s in states.items() if s is None or not s.is_completed()}
    print(f"{what} : {len(states) - len(bad)}/{len(states)} exécution(s) terminée(s)")
    for run_id, state in bad.items():
        print(f"  {run_id} : {state.name if state else 'introuvable'}", file=sys.stderr)
    return not bad


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "rejouer":
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if replay(sys.argv[2], sys.argv[3:]) else 1)
