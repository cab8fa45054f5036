"""Find the suspended runs of cases and resume them with a decision (`dla validate`, the desk,
board links, and the daily pass for the decisions they could not hand over)."""

from prefect.client.orchestration import get_client
from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run
from sqlalchemy import Engine
from sqlmodel import Session

from dla.decided import decided_since
from flows.decision_form import decision_answer
from flows.paused_runs import read_suspended_case_runs, suspended_filters, waiting_stage

PAGE = 200  # runs read a request


def resume_waiting_runs(reference: str, run_input: dict, stage: str | None = None) -> int:
    """Resume the case's suspended "accompagnement" runs (those waiting on `stage` if given).

    Return how many were resumed. The run records the input as a decision on the stage it
    waits for, so a decision on another stage must not resume it.
    """
    with get_client(sync_client=True) as client:
        runs = read_suspended_case_runs(client, [reference])
    resumed = 0
    for run in runs:
        if stage is not None and waiting_stage(run) != stage:
            continue
        resumed += _resume(run, run_input)
    return resumed


def resume_decided_runs(engine: Engine) -> int:
    """Resume every suspended case run whose awaited decision was recorded after it suspended.

    The desk and board links record a decision even when the Prefect server does not answer;
    the daily pass hands it to the run then (recording it again adds nothing). Returns how
    many runs were resumed.
    """
    runs = []
    with get_client(sync_client=True) as client:
        while page := client.read_flow_runs(
            **suspended_filters(None), limit=PAGE, offset=len(runs)
        ):
            runs += page
            if len(page) < PAGE:
                break
    waiting = {
        run.id: (run.name, waiting_stage(run), run.state.timestamp)
        for run in runs
        if run.state is not None and waiting_stage(run)
    }
    with Session(engine) as session:
        decided = decided_since(list(waiting.values()), session=session)
    resumed = 0
    for run in runs:
        reference, stage, _ = waiting.get(run.id, (None, None, None))
        if (entry := decided.get((reference, stage))) is not None:
            resumed += _resume(run, decision_answer(entry))
    return resumed


def _resume(run, run_input: dict) -> int:
    try:
        resume_flow_run(run.id, run_input=run_input)
    except NotPausedError:
        return 0  # resumed meanwhile through another door; the run reads the database
    return 1
