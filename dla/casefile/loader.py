"""Read a case file into a `CasePlan`: validated, merged with its template, dates resolved."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from dla.calendar import add_months, calendar_for
from dla.casefile.actionchecks import at
from dla.casefile.checks import check_case
from dla.casefile.merge import StagePaths, locate, merge_stages
from dla.casefile.pauses import Pause, Shift
from dla.casefile.problems import CaseFileError, Problem, from_validation_error
from dla.casefile.schedule import (
    ScheduleError,
    build_rules,
    period_dates,
    resolve,
    trace_shifts,
)
from dla.casefile.schema import CaseFile, DecisionIn, Journey, RelativeDeadline, StageIn
from dla.casefile.yamlio import parse_yaml, read_yaml
from dla.inputs import period_end_problems
from models.enums import Body, Moment, PeriodKind

JOURNEYS_DIR = Path(__file__).resolve().parent.parent / "journeys"


@dataclass
class PlannedTask:
    key: str
    title: str
    owner: str
    due: date
    deadline: dict
    validators: list[tuple[str | None, Body]]
    deliverable: str | None
    done_on: date | None


@dataclass
class PlannedStage:
    source: StageIn
    position: int
    start: date
    end: date
    validators: list[tuple[str | None, Body]]
    tasks: list[PlannedTask]
    decisions: list[DecisionIn]
    # Where each decision is written (a @membres decision gives one per member, same path).
    decision_paths: list[str] = field(default_factory=list)


@dataclass
class PlannedPeriod:
    key: str
    kind: PeriodKind
    start: date
    end: date
    after_step: str | None
    note: str | None


@dataclass
class CasePlan:
    case: CaseFile
    stages: list[PlannedStage]
    periods: list[PlannedPeriod]
    follow_ups: list[tuple[int, date]]
    source_hash: str
    source_path: str
    journey: Journey | None = field(default=None, repr=False)
    # Deadlines moved by appropriation or non-intervention periods (logged when saved).
    shifts: list[Shift] = field(default_factory=list)
    # Line of each field path in the file, for problems found when saving.
    lines: dict[tuple, int] = field(default_factory=dict, repr=False)


def load_case_file(path: Path, max_bytes: int = 1_000_000, today: date | None = None) -> CasePlan:
    """Read, validate and resolve one case file, or raise `CaseFileError` with every problem.

    With `today` (the load day), a decision dated after it is refused as `dla validate` would.
    """
    data, lines = read_yaml(path, max_bytes)
    return build_plan(data, lines, str(path), today)


def build_plan(data, lines: dict[tuple, int], name: str, today: date | None = None) -> CasePlan:
    """Validate parsed YAML data into a plan; `name` labels messages, `today` is the load day."""
    if not isinstance(data, dict):
        raise CaseFileError(
            name, [Problem("", "le document doit être un bloc de champs (clé: valeur)")]
        )
    try:
        case = CaseFile.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(name, from_validation_error(exc, lines)) from None
    journey = None
    if case.modele:
        journey = available_journeys().get(case.modele)
        if journey is None:
            expected = ", ".join(sorted(available_journeys()))
            problem = Problem("modele", f"modèle inconnu ; attendu parmi : {expected}", case.modele)
            raise CaseFileError(name, [at_line(problem, lines)])
    if journey is not None and journey.relances is not None:
        case = _inherit_reminders(case, journey)
    stages = merge_stages(case, journey)
    paths = locate(case, journey, stages)
    problems = check_case(case, stages, paths, today)
    if not stages:
        problems.append(Problem("etapes", "aucune étape : indiquer un modèle ou des étapes"))
    if problems:
        raise CaseFileError(name, [at_line(p, lines) for p in problems])
    try:
        plan = _schedule(case, stages, paths, journey, name)
    except ScheduleError as exc:
        raise CaseFileError(name, [at_line(p, lines) for p in exc.problems]) from None
    plan.lines = lines
    return plan


def _schedule(
    case: CaseFile, stages: list[StageIn], paths: list[StagePaths], journey, name: str
) -> CasePlan:
    calendar = calendar_for(case.departement)
    dates, spans, shifts, problems = _resolve_with_pauses(
        case, build_rules(case, stages, paths), calendar
    )
    planned = []
    moved = {shift.anchor: shift for shift in shifts}
    members = [m.organisation for m in case.membres if m.role.value in ("porteur", "membre")]
    for i, (stage, located) in enumerate(zip(stages, paths, strict=True)):
        start, end = dates[f"debut:{stage.cle}"], dates[f"fin:{stage.cle}"]
        if end < start:
            problems.append(
                Problem(
                    f"{located.stage}.fin",
                    f"la fin précède le début ({start.isoformat()})",
                    end.isoformat(),
                )
            )
        if start < case.debut:
            problems.append(
                Problem(
                    f"{located.stage}.debut",
                    f"début avant celui de l'accompagnement ({case.debut.isoformat()})",
                    start.isoformat(),
                )
            )
        tasks = [
            PlannedTask(
                t.cle,
                t.titre,
                t.responsable,
                dates[f"tache:{t.cle}"],
                _deadline_json(t.echeance, moved.get(f"tache:{t.cle}")),
                _expand(t.validation, members),
                t.livrable,
                t.fait_le,
            )
            for t in stage.taches
        ]
        gate = _expand(stage.validation.par, members) if stage.validation else []
        decisions, decision_paths = [], []
        for d, where in zip(stage.decisions, located.decisions, strict=True):
            for org in members if d.structure == "@membres" else [d.structure]:
                decisions.append(d.model_copy(update={"structure": org}))
                decision_paths.append(where)
        planned.append(PlannedStage(stage, i, start, end, gate, tasks, decisions, decision_paths))
    periods = []
    for i, (period, span) in enumerate(zip(case.periodes, spans, strict=True)):
        if span is None:
            continue
        start, end = span
        # In the words of `dla period start` (dla/inputs.py).
        problems += at(f"periodes[{i}]", period_end_problems(start, end), end.isoformat())
        periods.append(
            PlannedPeriod(period.cle, period.type, start, end, period.apres, period.note)
        )
    if problems:
        raise ScheduleError(problems)
    months = case.suivis if case.suivis is not None else (journey.suivis if journey else [3, 6, 12])
    implementation = [s for s in planned if s.source.temps is Moment.mise_en_oeuvre] or planned
    follow_ups = [(m, add_months(implementation[-1].end, m)) for m in sorted(set(months))]
    # The text json.dumps([case, journey], sort_keys=True) gives, the template's part once.
    text = f"[{json.dumps(case.model_dump(mode='json'), sort_keys=True)}, {_json_of(journey)}]"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return CasePlan(case, planned, periods, follow_ups, digest, name, journey, shifts)


_journey_json: dict[int, tuple[Journey, str]] = {}


def _json_of(journey: Journey | None) -> str:
    """Return the template as sorted JSON, computed once per (shipped, unchanging) template."""
    if journey is None:
        return "null"
    cached = _journey_json.get(id(journey))
    if cached is None or cached[0] is not journey:
        cached = _journey_json[id(journey)] = (
            journey,
            json.dumps(journey.model_dump(mode="json"), sort_keys=True),
        )
    return cached[1]


def _resolve_with_pauses(case: CaseFile, rules, calendar):
    """Resolve the dates, then again with the periods they place, until the periods stand still.

    A period may start after a deliverable whose date another period moves: a few rounds settle
    it (one more than there are periods); a configuration that never settles is reported.
    """
    pauses: list[Pause] = []
    base: dict[str, date] | None = None
    for _ in range(len(case.periodes) + 2):
        shifts: list[Shift] = []
        dates = resolve(rules, calendar, pauses, shifts)
        base = dates if base is None else base
        spans: list[tuple[date, date] | None] = []
        problems: list[Problem] = []
        for i, period in enumerate(case.periodes):
            try:
                spans.append(period_dates(period, f"periodes[{i}]", dates, calendar))
            except ScheduleError as exc:
                problems += exc.problems
                spans.append(None)
        found = [
            Pause(p.cle, *span)
            for p, span in zip(case.periodes, spans, strict=True)
            if span is not None and span[0] <= span[1]
        ]
        if problems or found == pauses:
            return dates, spans, trace_shifts(rules, base, dates, shifts), problems
        pauses = found
    raise ScheduleError(
        [Problem("periodes", "périodes et échéances se décalent mutuellement sans fin")]
    )


def _inherit_reminders(case: CaseFile, journey: Journey) -> CaseFile:
    """Give the case its template's reminder settings, the file's own keys winning."""
    own = case.relances.model_dump(exclude_unset=True) if case.relances else {}
    merged = journey.relances.model_dump(exclude_unset=True) | own
    return case.model_copy(update={"relances": type(journey.relances).model_validate(merged)})


def _expand(validators, members: list[str]) -> list[tuple[str | None, Body]]:
    out: list[tuple[str | None, Body]] = []
    for v in validators:
        for org in members if v.structure == "@membres" else [v.structure]:
            if (org, v.instance) not in out:
                out.append((org, v.instance))
    return out


def _deadline_json(deadline, shift: Shift | None = None) -> dict:
    if not isinstance(deadline, RelativeDeadline):
        return {"date": deadline.isoformat()}
    out = deadline.model_dump(mode="json")
    if shift is not None:
        out |= {"sans_pause": shift.before.isoformat(), "suspendu_par": list(shift.pauses)}
    return out


def at_line(problem: Problem, lines: dict[tuple, int]) -> Problem:
    """Give a problem the line of its field (or of the nearest enclosing one) in the file."""
    if problem.line is not None:
        return problem
    loc = tuple(
        int(p) if p.isdigit() else p
        for p in problem.path.replace("[", ".").replace("]", "").split(".")
        if p
    )
    while loc and loc not in lines:
        loc = loc[:-1]
    return Problem(problem.path, problem.message, problem.value, lines.get(loc))


@lru_cache
def available_journeys() -> dict[str, Journey]:
    """Return the shipped case templates by name (validated once)."""
    journeys = {}
    for path in sorted(JOURNEYS_DIR.glob("*.yaml")):
        data, lines = parse_yaml(path.read_text(encoding="utf-8"), str(path))
        try:
            journey = Journey.model_validate(data)
        except ValidationError as exc:
            raise CaseFileError(str(path), from_validation_error(exc, lines)) from None
        journeys[journey.nom] = journey
    return journeys
