"""Find the suspended run of a case and resume it with a decision (used by `dla validate`)."""

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run


def resume_waiting_runs(reference: str, run_input: dict, stage: str | None = None) -> int:
    """Resume the case's suspended "accompagnement" runs (those waiting on `stage` if given).

    Return how many were resumed. The run records the input as a decision on the stage it
    waits for, so a decision on another stage must not resume it.
    """
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["accompagnement"])),
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[reference]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            ),
        )
    resumed = 0
    for run in runs:
        if stage is not None and not _waits_on(run, stage):
            continue
        try:
            resume_flow_run(run.id, run_input=run_input)
        except NotPausedError:
            continue  # resumed meanwhile through another door; the run reads the database
        resumed += 1
    return resumed


def _waits_on(run, stage: str) -> bool:
    # The case flow suspends with the key "<stage>-<question number>".
    key = run.state.state_details.pause_key if run.state else None
    return bool(key) and key.rpartition("-")[0] == stage
