"""Resolve every date of a case: absolute dates and anchors plus offsets, in working days."""

from dataclasses import dataclass
from datetime import date, timedelta

from dla.calendar import WorkingCalendar
from dla.casefile.problems import Problem
from dla.casefile.schema import CaseFile, PeriodIn, RelativeDeadline, StageIn
from models.enums import Decision

# A node is an anchor name ("tache:x", "debut:s", "fin:s", "validation:s");
# its rule says how to compute it and where it was written (for messages).


@dataclass(frozen=True)
class _Rule:
    spec: date | RelativeDeadline | tuple[str, ...] | None
    path: str

    def spec_value(self) -> str | None:
        return self.spec.apres if isinstance(self.spec, RelativeDeadline) else None


class ScheduleError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def build_rules(case: CaseFile, stages: list[StageIn]) -> dict[str, _Rule]:
    """Return the computation rule of every anchor of the case."""
    rules: dict[str, _Rule] = {}
    previous_end: str | None = None
    for i, stage in enumerate(stages):
        here = f"etapes[{i}]"
        start = stage.debut if stage.debut is not None else (previous_end or case.debut)
        rules[f"debut:{stage.cle}"] = _Rule(
            (start,) if isinstance(start, str) else start, f"{here}.debut"
        )
        tasks = tuple(f"tache:{t.cle}" for t in stage.taches)
        end = stage.fin if stage.fin is not None else (("max", *tasks) if tasks else (f"debut:{stage.cle}",))
        rules[f"fin:{stage.cle}"] = _Rule(end, f"{here}.fin")
        decided = [d.date for d in stage.decisions if d.tache is None and d.decision is not Decision.refusee]
        rules[f"validation:{stage.cle}"] = _Rule(
            max(decided) if decided else (f"fin:{stage.cle}",), f"{here}.validation"
        )
        for j, task in enumerate(stage.taches):
            rules[f"tache:{task.cle}"] = _Rule(task.echeance, f"{here}.taches[{j}].echeance")
        previous_end = f"fin:{stage.cle}"
    return rules


def resolve(rules: dict[str, _Rule], calendar: WorkingCalendar) -> dict[str, date]:
    """Compute every anchor's date, reporting unknown anchors and cycles."""
    dates: dict[str, date] = {}
    problems: list[Problem] = []
    for start in rules:
        _visit(start, rules, calendar, dates, problems, [])
    if problems:
        raise ScheduleError(problems)
    return dates


def _visit(name, rules, calendar, dates, problems, stack) -> date | None:
    if name in dates:
        return dates[name]
    if name in stack:
        cycle = stack[stack.index(name) :] + [name]
        message = (
            "la tâche dépend d'elle-même"
            if len(cycle) == 2
            else "dépendance circulaire : " + " → ".join(cycle)
        )
        problem = Problem(rules[name].path, message, rules[name].spec_value())
        if problem not in problems:
            problems.append(problem)
        return None
    rule = rules[name]
    stack.append(name)
    try:
        result = _compute(rule, rules, calendar, dates, problems, stack)
    finally:
        stack.pop()
    if result is not None:
        dates[name] = result
    return result


def _compute(rule, rules, calendar, dates, problems, stack) -> date | None:
    spec = rule.spec
    if isinstance(spec, date):
        return spec
    if isinstance(spec, tuple):
        names = spec[1:] if spec[0] == "max" else spec
        found = [_visit(n, rules, calendar, dates, problems, stack) for n in names]
        return None if None in found else max(found)
    if spec.apres not in rules:
        problems.append(Problem(rule.path + ".apres", "ancre inconnue : aucune tâche ou étape de ce nom", spec.apres))
        return None
    anchor = _visit(spec.apres, rules, calendar, dates, problems, stack)
    return None if anchor is None else calendar.shift(anchor, spec.delai, spec.unite)


def period_dates(period: PeriodIn, path: str, dates: dict[str, date], calendar: WorkingCalendar):
    """Return (start, end) of a period; its start may be an anchor."""
    if isinstance(period.debut, RelativeDeadline):
        anchor = dates.get(period.debut.apres)
        if anchor is None:
            raise ScheduleError([Problem(f"{path}.debut.apres", "ancre inconnue", period.debut.apres)])
        start = calendar.shift(anchor, period.debut.delai, period.debut.unite)
    else:
        start = period.debut
    end = period.fin if period.fin is not None else start + timedelta(days=period.duree - 1)
    return start, end
