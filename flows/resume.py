"""Find the suspended run of a case and resume it with a decision (used by `dla validate`)."""

from prefect.client.orchestration import get_client
from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run

from flows.paused_runs import read_suspended_case_runs, waiting_stage


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
        try:
            resume_flow_run(run.id, run_input=run_input)
        except NotPausedError:
            continue  # resumed meanwhile through another door; the run reads the database
        resumed += 1
    return resumed
