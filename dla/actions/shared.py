"""An action's changes to a record other cases share: an organisation's facts, a person's.

As for case files (dla/shared_changes.py): a fact another case also reads is changed only when
the person confirms it for every case involved, and the change is then logged on each of them.
"""

from dataclasses import dataclass

from sqlmodel import Session

from dla.actions.base import Actor, FieldProblem, shown
from dla.clock import Clock
from dla.shared_changes import SharedChange, find_users, log_changes
from models import Case, Contact, Organisation

CONFIRM = (
    "ou la confirmation de la modifier pour tous ces cas (bureau : cocher « Modifier aussi "
    "pour les autres cas » ; ligne de commande : --update-shared)"
)
# Facts whose values are not copied into messages and timelines (forgetting a person
# scrubs their address and name, not a number).
UNQUOTED = {"telephone"}


@dataclass(frozen=True)
class Fact:
    """One shared fact the action would change: its form field, its name, both values."""

    field: str
    name: str
    stored: object
    new: object


def _value(fact: Fact, value: object) -> object:
    if fact.name in UNQUOTED and value is not None:
        return "(numéro non recopié)"
    return value.value if hasattr(value, "value") else value


def shared_change(
    record: Organisation | Contact,
    facts: list[Fact],
    *,
    case: Case,
    session: Session,
    confirmed: bool,
) -> tuple[SharedChange | None, list[FieldProblem]]:
    """Return the change to log on the other cases using `record`, and the refusals.

    A fact other cases read is refused unless `confirmed`; a record only this case uses
    (or a new one) changes freely.
    """
    facts = [f for f in facts if f.new != f.stored]
    if not facts or record.id is None:
        return None, []
    change = SharedChange(
        record, "", [(f.name, _value(f, f.stored), _value(f, f.new)) for f in facts]
    )
    find_users([change], session)
    others = [reference for i, reference in change.users.items() if i != case.id]
    if not others:
        return None, []
    if confirmed:
        return change, []
    cases = ", ".join(others[:5]) + (f" et {len(others) - 5} autre(s)" if len(others) > 5 else "")
    problems = []
    for f in facts:
        typed = "" if f.name in UNQUOTED else f" {shown(_value(f, f.new))}"
        stored = "" if f.name in UNQUOTED else f" ({shown(_value(f, f.stored))})"
        problems.append(
            FieldProblem(
                f.field,
                f"{f.name}{typed} : {change.label} sert aussi au(x) cas {cases} (donnée "
                f"partagée), rien n'a été changé ; attendu : la valeur enregistrée{stored}, "
                + CONFIRM,
            )
        )
    return change, problems


def log_shared(
    change: SharedChange | None, case: Case, *, session: Session, clock: Clock, actor: Actor
) -> None:
    """Write a confirmed change to shared data on the timeline of every case using it."""
    if change is None:
        return
    log_changes(
        [change],
        case.id,
        case.reference,
        session=session,
        at=clock.now(),
        actor=actor.name,
        reason="modification confirmée pour tous les cas concernés",
        channel=actor.channel,
    )
