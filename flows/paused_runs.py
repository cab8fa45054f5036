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
    return client.read_flow_runs(**suspended_filters(references))


def suspended_filters(references: list[str] | None) -> dict:
    """Return the filters of the suspended "accompagnement" runs of these cases (None: all)."""
    names = FlowRunFilterName(any_=sorted(set(references))) if references is not None else None
    return {
        "flow_filter": FlowFilter(name=FlowFilterName(any_=["accompagnement"])),
        "flow_run_filter": FlowRunFilter(
            name=names,
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
        ),
    }


def waiting_stage(run: FlowRun) -> str | None:
    """Return the stage a suspended case run waits on, from its pause key."""
    key = run.state.state_details.pause_key if run.state else None
    # The case flow suspends with the key "<stage>-<question number>".
    return key.rpartition("-")[0] if key else None
