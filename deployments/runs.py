"""Start deployment runs and wait for the workers to take them (`make up-pg`, scale-out test).

Usage: `python -m deployments.runs rejouer AAAA-MM-JJ REF…` replays each case up to the date on
the work pool (the workers share the cases), then runs the daily sweep of that date.
`python -m deployments.runs attentes AAAA-MM-JJ` starts, as of that date, the run of every case
waiting for a decision, so that it waits Suspended at its gate (`make up`, once per case).
"""

import sys
import time
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import State

CASE = "accompagnement/suivre-un-cas"
SWEEP = "relances/relances-quotidiennes"


def start(requests: list[tuple[str, dict]], keys: list[str] | None = None) -> list[UUID]:
    """Create one flow run per (deployment name, parameters), to run now; return their ids.

    With `keys`, the same key gives back the run it started before (Prefect's idempotency key).
    """
    ids: dict[str, UUID] = {}
    runs = []
    with get_client(sync_client=True) as client:
        for i, (name, parameters) in enumerate(requests):
            if name not in ids:
                ids[name] = client.read_deployment_by_name(name).id
            runs.append(
                client.create_flow_run_from_deployment(
                    ids[name], parameters=parameters, idempotency_key=keys[i] if keys else None
                )
            )
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


def waiting_cases() -> list[str]:
    """Return the references of the cases waiting for a decision, from the case database."""
    from sqlmodel import Session, select

    from dla.db import make_engine
    from dla.settings import get_settings
    from models import Case
    from models.enums import CaseStatus

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with Session(engine) as session:
            waiting = Case.status == CaseStatus.en_attente_validation
            return list(session.exec(select(Case.reference).where(waiting)))
    finally:
        engine.dispose()


def suspend_waiting(day: str, seconds: float = 300) -> bool:
    """Start each waiting case's run as of `day`; tell whether each now waits Suspended."""
    references = waiting_cases()
    if not references:
        print("aucun cas en attente de validation")
        return True
    runs = start(
        [(CASE, {"cas": {"reference": r, "aujourdhui": day}}) for r in references],
        keys=[f"attente-{r}-{day}" for r in references],
    )
    states = wait(runs, seconds)
    bad = {i: s for i, s in states.items() if s is None or not s.is_paused()}
    print(
        f"cas en attente de validation : {len(states) - len(bad)}/{len(states)} run(s) suspendu(s)"
    )
    for run_id, state in bad.items():
        print(f"  {run_id} : {state.name if state else 'introuvable'}", file=sys.stderr)
    return not bad


def _report(states: dict[UUID, State | None], what: str) -> bool:
    bad = {i: s for i, s in states.items() if s is None or not s.is_completed()}
    print(f"{what} : {len(states) - len(bad)}/{len(states)} exécution(s) terminée(s)")
    for run_id, state in bad.items():
        print(f"  {run_id} : {state.name if state else 'introuvable'}", file=sys.stderr)
    return not bad


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "attentes":
        sys.exit(0 if suspend_waiting(sys.argv[2]) else 1)
    if len(sys.argv) < 4 or sys.argv[1] != "rejouer":
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if replay(sys.argv[2], sys.argv[3:]) else 1)
