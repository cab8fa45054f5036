"""Waiting at a gate: the Resume form, the decision it brings, and a refusal asked again.

A decision that fails its checks is not an error of the run: the run suspends again at once,
in a state named so ("En attente (décision refusée)"), with a form whose description starts with
the reasons. Prefect re-runs a resumed flow from the top, so every earlier answer comes back
from its stored input; only the answer that woke this execution is reported in the log.
"""

from datetime import date, datetime, timedelta
from uuid import UUID

from prefect import get_run_logger, task
from prefect._flow_run_suspension import mark_flow_run_suspension_requested
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.context import FlowRunContext
from prefect.exceptions import Abort, Pause
from prefect.input import RunInput, keyset_from_base_key
from prefect.states import Paused
from prefect.utilities.engine import propose_state_sync
from pydantic import ConfigDict

from dla import lifecycle, steps, validations
from dla.clock import Clock
from dla.frenchtext import fr_date, label
from dla.vigilance import blocking
from flows.case_events import emit_case_events
from flows.decision_form import DecisionFields
from flows.live_artifacts import refresh_artifacts
from models.types import PARIS

WAITING = "Suspended"  # Prefect's own name for a first question (tests and tools look for it)
ASKED_AGAIN = "En attente (décision refusée)"


class GateDecision(DecisionFields, RunInput):
    """The validation form shown in the Prefect UI's Resume dialog."""

    model_config = ConfigDict(
        title="Décision de validation",
        json_schema_extra={"description": "La décision d'une instance sur l'étape en attente."},
    )


@task(cache_policy=NO_CACHE, task_run_name="{key} · décision saisie")
def record_decision(engine, reference: str, key: str, answer: GateDecision, clock: Clock) -> str:
    """Record the answer; return "" when taken, else why it was refused (nothing written)."""
    entry = answer.decision_for(reference, key)
    try:
        validations.record_decision(
            engine, entry, clock=clock, recorded_by="interface Prefect", channel="prefect-ui"
        )
    except validations.ValidationRefused as exc:
        return " ; ".join(exc.messages())
    return ""


def wait_for_decisions(engine, reference: str, key: str, outcome, clock: Clock, check):
    """Ask for decisions until the gate no longer waits; a refused one is asked again.

    `check(engine, reference, key, clock)` passes the gate again (the case flow's task).
    """
    asked, refusal = 0, ""
    woken_by = _woken_by(FlowRunContext.get().flow_run.id)
    while outcome.state == lifecycle.StageState.awaiting:
        question = steps.gate_question(engine, reference, key)
        # One key per question of this run: a resumed run re-asks from the top and gets each
        # stored answer back (recording it again adds nothing), then suspends on a new key;
        # a key per known decision would hand back a refused answer forever.
        pause_key = f"{key}-{asked}"
        # What led here (the stage awaiting, a refusal) is in the event feed while the run waits.
        emit_case_events(engine, [reference])
        # The waiting case shows its state at once (the daily pass would show it tomorrow).
        refresh_artifacts(engine, [reference], clock.today())
        answer = suspend_for(
            form(outcome, question, refusal),
            key=pause_key,
            timeout=timeout(outcome.gate_deadline, clock),
            name=ASKED_AGAIN if refusal else WAITING,
        )
        asked += 1
        refusal = record_decision(engine, reference, key, answer, clock)
        if refusal and pause_key == woken_by:
            # Handled: the form asks again with the reasons; not an error of the run.
            get_run_logger().warning("Décision refusée, rien n'a été enregistré : %s", refusal)
        outcome = check(engine, reference, key, clock)
    return outcome


def form(outcome, question: steps.GateQuestion, refusal: str = "") -> type[GateDecision]:
    """Return the Resume form of a waiting gate; after a refusal, it begins with the reasons."""
    org_keys = question.organisation_keys
    awaited = (
        ", ".join(
            f"{org_keys.get(org, org) if org else 'coordination'} ({label(body)})"
            for org, body in outcome.gate.missing
        )
        if outcome.gate
        else ""
    )
    blockers = "\n".join(
        f"- **bloquant** : {f.message} (§{f.section})" for f in blocking(outcome.findings)
    )
    refused = (
        f"**Décision refusée, rien n'a été enregistré** : {refusal}\n\n"
        "Corriger la saisie ci-dessous puis valider à nouveau.\n\n"
        if refusal
        else ""
    )
    description = (
        f"{refused}### {question.title}\n\nValidation attendue de : {awaited or '—'}\n\n"
        f"Échéance : {fr_date(outcome.gate_deadline)}\n\n{blockers}"
    )
    return GateDecision.with_initial_data(description=description)


def suspend_for(wanted: type[RunInput], *, key: str, timeout: int, name: str) -> RunInput:
    """Suspend the run until `wanted` is entered, in a state called `name`; return the input.

    Prefect's `suspend_flow_run` (prefect/flow_runs.py, 3.9) always names the state
    "Suspended"; this is the same steps with a name of ours. The input keys stay Prefect's
    ("suspended-<key>-…"): the UI and the API find them through the state's details.
    """
    run_id = FlowRunContext.get().flow_run.id
    proposed = Paused(name=name, reschedule=True, timeout_seconds=timeout, pause_key=key)
    keyset = keyset_from_base_key(f"suspended-{key}")
    proposed.state_details.run_input_keyset = keyset
    with get_client(sync_client=True) as client:
        try:
            state = propose_state_sync(client=client, state=proposed, flow_run_id=run_id)
        except Abort as exc:
            raise RuntimeError(f"Flow run cannot be suspended: {exc}") from exc
        if state.is_running():
            # Refused by the server: this question was answered before this execution.
            return wanted.load(keyset)
        if not state.is_paused():
            raise RuntimeError(f"Flow run cannot be suspended: unexpected state {state}")
        wanted.save(keyset)
    mark_flow_run_suspension_requested(run_id, state)
    raise Pause(state=state)


def _woken_by(run_id: UUID) -> str | None:
    """Return the pause key of the question whose answer started this execution, if any."""
    with get_client(sync_client=True) as client:
        states = client.read_flow_run_states(run_id)
    paused = [s for s in states if s.type == StateType.PAUSED]
    return max(paused, key=lambda s: s.timestamp).state_details.pause_key if paused else None


def timeout(deadline: date | None, clock: Clock) -> int:
    """Return the seconds a gate waits: until its deadline (grace included), at least one day."""
    if deadline is None:
        return 86_400
    end = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
    return max(86_400, int((end - clock.now()).total_seconds()))
