"""Flow parameters as forms: named after at once, checked first, refused in one French line.

Prefect's own check of the parameters (`validate_parameters`) fails the run before it is named
(it keeps a random name) with pydantic's English messages and a traceback; the flows of the
catalogue turn it off and check their forms here instead.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.states import Failed
from pydantic import BaseModel

from dla.casefile.fields import control_char
from dla.forms import FormRefused, checked

RUN_NAME_LENGTH = 80


def refuse_bad_forms(fn: Callable) -> Callable:
    """Check the flow's form parameters before its body runs; a refusal fails the run.

    The run ends Failed with one French line naming each wrong field (as its message, without a
    traceback); nothing else runs. Use with `@flow(..., validate_parameters=False)`.
    """
    signature = inspect.signature(fn)
    forms = {
        name: p.annotation
        for name, p in signature.parameters.items()
        if inspect.isclass(p.annotation) and issubclass(p.annotation, BaseModel)
    }

    @functools.wraps(fn)
    def run(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            for name, model in forms.items():
                bound.arguments[name] = checked(model, bound.arguments[name])
        except FormRefused as refused:
            return refuse(str(refused))
        return fn(*bound.args, **bound.kwargs)

    return run


def refuse(message: str):
    """Return the Failed state that ends a run on a refusal (a warning in the log, no traceback).

    A refusal is final: the run is not retried (the same form would be refused again).
    """
    get_run_logger().warning(message)
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is not None and run.empirical_policy.retries:
        # Prefect's server turns a Failed state into a retry while the run has retries left.
        policy = run.empirical_policy.model_copy(update={"retries": 0})
        with get_client(sync_client=True) as client:
            client.update_flow_run(run.id, empirical_policy=policy)
    return Failed(message=message)


def named_after(parameter: str, *fields: str, fallback: str) -> Callable[[], str]:
    """Name runs after fields of a form parameter (before it is checked: a dict or the model)."""

    def name() -> str:
        from prefect.runtime import flow_run

        form = flow_run.parameters.get(parameter)
        values = [form.get(f) if isinstance(form, dict) else getattr(form, f, None) for f in fields]
        text = " · ".join(_shown(v) for v in values if v not in (None, ""))
        return text[:RUN_NAME_LENGTH] or fallback

    return name


def _shown(value: Any) -> str:
    # A form refused for a line break in its reference is still named, on one line.
    text = str(value)
    while (char := control_char(text)) is not None:
        text = text.replace(char, " ")
    return text.strip()
