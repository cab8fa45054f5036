"""Facts actions: edit what the case file says of the case (title, perimeter, goals, the
context the deliverables and the points of vigilance read).

Fields are named as in case files (`titre`, `contexte.demande_initiale`…): a case opened from
the Prefect form gets its "demande initiale" here, and its note de diagnostic can be produced.
"""

from sqlmodel import Session

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    shown,
    text_problem,
)
from dla.actions.fields import forgotten_texts
from dla.casefile.schema import ContextIn
from dla.clock import Clock

# Case columns edited as one line of text, and as lists (field → column, French name).
LINES = {"titre": ("title", "intitulé"), "perimetre": ("perimeter", "périmètre")}
LISTS = {
    "objectifs_strategiques": ("strategic_goals", "objectifs stratégiques"),
    "attendus_operationnels": ("operational_expectations", "attendus opérationnels"),
}
# The context's facts written as a text, or as a list (one item a line in forms).
CONTEXT_TEXTS = (
    "demande_initiale",
    "analyse",
    "historique_cooperation",
    "injonction",
    "socle_strategique",
    "gouvernance",
    "reseaux_motif_absence",
    "resultats",
    "perspectives",
)
CONTEXT_LISTS = (
    "enjeux",
    "valeurs",
    "points_de_blocage",
    "atouts",
    "partenaires_informes",
    "criteres_choix_prestataire",
    "livrables_attendus",
)
MAX_LINE, MAX_TEXT, MAX_ITEMS = 300, 4000, 50


def fact_name(field: str) -> str:
    """Return the French name of an editable field (`contexte.analyse` → "analyse…")."""
    if field in LINES:
        return LINES[field][1]
    if field in LISTS:
        return LISTS[field][1]
    title = ContextIn.model_fields[field.removeprefix("contexte.")].title
    return title[0].lower() + title[1:]


EDITABLE = (
    *LINES,
    *LISTS,
    *(f"contexte.{k}" for k in CONTEXT_TEXTS),
    *(f"contexte.{k}" for k in CONTEXT_LISTS),
)


def _items(value) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(line).strip() for line in lines if str(line).strip()]


def _check(field: str, value) -> tuple[object, list[FieldProblem]]:
    """Check one typed value; return it as stored (a text, None to clear, a list)."""
    name = fact_name(field)
    if field in LINES:
        problem = text_problem(value, field=field, name=name, limit=MAX_LINE)
        return str(value or "").strip(), [problem] if problem else []
    if field in LISTS or field.removeprefix("contexte.") in CONTEXT_LISTS:
        items = _items(value)
        # The first bad item speaks for the others: one message a field.
        problems = [
            p
            for item in items
            if (p := text_problem(item, field=field, name=name, limit=MAX_TEXT, lines=True))
        ][:1]
        if len(items) > MAX_ITEMS:
            problems.append(
                FieldProblem(
                    field, f"{name} : {len(items)} éléments ; attendu : {MAX_ITEMS} au plus"
                )
            )
        return items, problems
    text = str(value or "").strip()
    problem = text and text_problem(text, field=field, name=name, limit=MAX_TEXT, lines=True)
    return text or None, [problem] if problem else []


def edit_facts(
    reference: str,
    changes: dict[str, str | list[str]],
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Replace the given facts (field → new value; an empty text or list clears a context
    fact); fields left out stay as they are. The title and perimeter cannot be empty."""
    case = open_case(reference, session=session, revision=revision)
    problems, typed = [], {}
    for field, value in changes.items():
        if field not in EDITABLE:
            problems.append(
                FieldProblem(
                    field, f"champ inconnu : {shown(field)} ; attendu parmi : {', '.join(EDITABLE)}"
                )
            )
            continue
        typed[field], more = _check(field, value)
        problems += more
    problems += forgotten_texts(typed, session=session)
    if problems:
        raise ActionRefused(problems)
    context = dict(case.context)
    before, after = {}, {}
    for field in sorted(typed, key=EDITABLE.index):  # the order of a case file
        value = typed[field]
        if field in LINES or field in LISTS:
            column = (LINES | LISTS)[field][0]
            old = getattr(case, column)
            if old != value:
                before[field], after[field] = old, value
                setattr(case, column, value)
            continue
        key = field.removeprefix("contexte.")
        old = context.get(key)
        if (old or None) != (value or None):
            before[field], after[field] = old, value
            if value:
                context[key] = value
            else:
                context.pop(key, None)
    if not after:
        return Outcome("Faits du cas : inchangés", False)
    case.context = context
    session.add(case)
    names = ", ".join(fact_name(f) + ("" if after[f] else " (effacé)") for f in after)
    summary = f"Faits du cas modifiés : {names}"
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="case.facts",
        summary=summary,
        data={"fields": list(after), "before": before},
    )
    return Outcome(summary)
