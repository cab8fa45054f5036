"""A board's decision as a coordinator types it on the desk: read, checked, recorded with its
minutes. The decision itself goes through `record_validation`, the check every door uses."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from dla.actions.base import ActionRefused, Actor, FieldProblem, open_case, read_day, shown
from dla.attachments import attach_document
from dla.clock import Clock
from dla.filetypes import PDF
from dla.frenchtext import fr_date
from dla.settings import Settings
from dla.uploads import Upload, upload_problems
from dla.validations import DecisionInput, record_validation
from models import Validation
from models.enums import AttachmentKind, Body, Decision
from models.labels import label


@dataclass(frozen=True)
class TypedDecision:
    """The decision form as typed: dates in JJ/MM/AAAA, codes for the body and the decision."""

    structure: str = ""  # an organisation key; empty for the DLA coordination
    instance: str = ""
    decided_on: str = ""
    decision: str = ""
    postponed_to: str = ""
    comment: str = ""


def read_decision(value: str | None, *, field: str = "decision") -> tuple[Decision | None, list]:
    """Return the decision chosen (a code of `Decision`), or why it is refused."""
    try:
        return Decision(value or ""), []
    except ValueError:
        choices = ", ".join(label(d) for d in Decision)
        return None, [FieldProblem(field, f"décision à choisir parmi : {choices}")]


def _body(value: str) -> tuple[Body | None, list[FieldProblem]]:
    try:
        return Body(value), []
    except ValueError:
        choices = ", ".join(f"{b.value} ({label(b)})" for b in Body)
        return None, [
            FieldProblem(
                "instance", f"instance inconnue : {shown(value)} ; attendu parmi : {choices}"
            )
        ]


def _day(text: str, *, field: str, name: str) -> tuple[object, list[FieldProblem]]:
    try:
        return read_day(text, field=field, name=name), []
    except ActionRefused as exc:
        return None, exc.problems


def decide(
    reference: str,
    stage: str,
    typed: TypedDecision,
    *,
    minutes: Upload | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    settings: Settings,
    revision: int | None = None,
) -> tuple[Validation, DecisionInput, bool]:
    """Record a board's decision on a stage's gate, and its minutes (a PDF) when given.

    Returns the decision, as checked, and whether it is new (the same decision again adds
    nothing). A postponement's new date is read only for a postponement.
    """
    open_case(reference, session=session, revision=revision)
    body, problems = _body(typed.instance)
    decided_on, more = _day(typed.decided_on, field="date", name="date de la décision")
    decision, chosen = read_decision(typed.decision)
    problems += more + chosen
    postponed_to = None
    if decision is Decision.reportee and typed.postponed_to.strip():
        postponed_to, more = _day(typed.postponed_to, field="report_au", name="nouvelle date")
        problems += more
    problems += minutes_problems(minutes, settings)
    if problems:
        raise ActionRefused(problems)
    entry = DecisionInput(
        reference, stage, typed.structure.strip() or None, body, decision, decided_on,
        typed.comment.strip() or None, postponed_to,
    )  # fmt: skip
    validation, new = record_validation(
        entry, session=session, clock=clock, recorded_by=actor.name, channel=actor.channel
    )
    if minutes is not None:
        attach_minutes(
            reference, stage, minutes, body=body, decided_on=decided_on,
            session=session, clock=clock, actor=actor, settings=settings,
        )  # fmt: skip
    return validation, entry, new


def minutes_problems(minutes: Upload | None, settings: Settings) -> list[FieldProblem]:
    """Check a decision's minutes (a PDF under the size limit), on the field `pv`."""
    if minutes is None:
        return []
    found, _ = upload_problems(
        minutes, kind=AttachmentKind.proces_verbal, title=None,
        max_bytes=settings.max_attachment_bytes, types=(PDF,),
    )  # fmt: skip
    return [FieldProblem("pv", p.message) for p in found]


def attach_minutes(
    reference: str, stage: str, minutes: Upload, *, body: str, decided_on: date, **frame
) -> None:
    """Attach a decision's minutes to its stage, titled after the board and the day."""
    attach_document(
        reference, minutes, kind=AttachmentKind.proces_verbal,
        title=f"Procès-verbal — {label(body)} du {fr_date(decided_on)}", stage=stage,
        types=(PDF,), **frame,
    )  # fmt: skip
