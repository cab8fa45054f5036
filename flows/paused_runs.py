"""The suspended runs of cases and the stage each waits on (resume and reminder links)."""

from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType


def read_suspended_case_runs(client, references: list[str]) -> list[FlowRun]:
    """Read the suspended "accompagnement" runs of these cases (runs are named by reference)."""
    return client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=["accompagnement"])),
        flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=sorted(set(references))),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
        ),
    )


def waiting_stage(run: FlowRun) -> str | None:
    """Return the stage a suspended case run waits on, from its pause key."""
    key = run.state.state_details.pause_key if run.state else None
    # The case flow suspends with the key "<stage>-<question number>".
    return key.rpartition("-")[0] if key else None
