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
from prefect.flow_runs import resume_flow_run


def resume_waiting_runs(reference: str, run_input: dict) -> int:
    """Resume every paused "accompagnement" run of the case; return how many were resumed."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["accompagnement"])),
            flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[reference]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            ),
        )
    for run in runs:
        resume_flow_run(run.id, run_input=run_input)
    return len(runs)
