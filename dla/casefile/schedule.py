"""Resolve every date of a case: absolute dates and anchors plus offsets, in working days."""

from dataclasses import dataclass
from datetime import date, timedelta

from dla.calendar import WorkingCalendar
from dla.casefile.fields import FIRST_YEAR, LAST_YEAR
from dla.casefile.merge import StagePaths
from dla.casefile.pauses import Pause, Shift, paused_due
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


def build_rules(case: CaseFile, stages: list[StageIn], paths: list[StagePaths]) -> dict[str, _Rule]:
    """Return the computation rule of every anchor of the case."""
    rules: dict[str, _Rule] = {}
    previous_end: str | None = None
    for stage, located in zip(stages, paths, strict=True):
        here = located.stage
        start = stage.debut if stage.debut is not None else (previous_end or case.debut)
        rules[f"debut:{stage.cle}"] = _Rule(
            (start,) if isinstance(start, str) else start, f"{here}.debut"
        )
        tasks = tuple(f"tache:{t.cle}" for t in stage.taches)
        end = (
            stage.fin
            if stage.fin is not None
            else (("max", *tasks) if tasks else (f"debut:{stage.cle}",))
        )
        rules[f"fin:{stage.cle}"] = _Rule(end, f"{here}.fin")
        decided = [
            d.date
            for d in stage.decisions
            if d.tache is None and d.decision in (Decision.validee, Decision.validee_avec_reserves)
        ]
        rules[f"validation:{stage.cle}"] = _Rule(
            max(decided) if decided else (f"fin:{stage.cle}",), f"{here}.validation"
        )
        for task, where in zip(stage.taches, located.tasks, strict=True):
            rules[f"tache:{task.cle}"] = _Rule(task.echeance, f"{where}.echeance")
        previous_end = f"fin:{stage.cle}"
    return rules


def resolve(
    rules: dict[str, _Rule],
    calendar: WorkingCalendar,
    pauses: list[Pause] | None = None,
    shifts: list[Shift] | None = None,
) -> dict[str, date]:
    """Compute every anchor's date, reporting unknown anchors and cycles.

    Relative deadlines are extended by the `pauses` they span; each move goes to `shifts`.

    Depth-first without recursion (a chain of thousands of steps must not overflow the stack);
    each anchor is computed once, failed ones included.
    """
    dates: dict[str, date] = {}
    done: set[str] = set()
    problems: list[Problem] = []
    for root in rules:
        if root in done:
            continue
        stack = [(root, iter(dependencies(rules[root].spec, rules)))]
        on_stack = {root}
        while stack:
            name, pending = stack[-1]
            dependency = next(pending, None)
            if dependency is None:
                stack.pop()
                on_stack.discard(name)
                done.add(name)
                result = _compute(rules[name], rules, calendar, dates, problems)
                if result is not None and pauses and isinstance(rules[name].spec, RelativeDeadline):
                    result = _pause(name, rules[name].spec, result, calendar, dates, pauses, shifts)
                if result is not None:
                    dates[name] = result
            elif dependency in on_stack:
                names = [n for n, _ in stack]
                _report_cycle(names[names.index(dependency) :] + [dependency], rules, problems)
            elif dependency not in done:
                stack.append((dependency, iter(dependencies(rules[dependency].spec, rules))))
                on_stack.add(dependency)
    if problems:
        raise ScheduleError(problems)
    return dates


def _pause(name, spec, due, calendar, dates, pauses, shifts) -> date:
    moved, applied = paused_due(calendar, dates[spec.apres], due, spec.unite, pauses)
    if applied and shifts is not None:
        shifts.append(Shift(name, due, moved, applied))
    return moved


def trace_shifts(
    rules: dict[str, _Rule], base: dict[str, date], final: dict[str, date], direct: list[Shift]
) -> list[Shift]:
    """List the task and stage dates the pauses moved, directly or through their anchors."""
    causes: dict[str, tuple[str, ...]] = {s.anchor: s.pauses for s in direct}
    moved = []
    for name in final:  # insertion order is resolution order: anchors come first
        inherited = [
            k for dep in dependencies(rules[name].spec, rules) for k in causes.get(dep, ())
        ]
        keys = tuple(dict.fromkeys([*inherited, *causes.get(name, ())]))
        if keys:
            causes[name] = keys
        if keys and final[name] != base.get(name) and not name.startswith("validation:"):
            moved.append(Shift(name, base[name], final[name], keys))
    return moved


def dependencies(spec, rules) -> list[str]:
    """Return the anchors a rule's date is computed from."""
    if isinstance(spec, tuple):
        return list(spec[1:] if spec[0] == "max" else spec)
    if isinstance(spec, RelativeDeadline) and spec.apres in rules:
        return [spec.apres]
    return []


def _report_cycle(cycle: list[str], rules, problems: list[Problem]) -> None:
    name = cycle[0]
    if len(cycle) == 2:
        what = "la tâche" if name.startswith("tache:") else "la date"
        message = f"{what} dépend d'elle-même"
    else:
        message = "dépendance circulaire : " + " → ".join(cycle)
    problem = Problem(rules[name].path, message, rules[name].spec_value())
    if problem not in problems:
        problems.append(problem)


def _compute(rule, rules, calendar, dates, problems) -> date | None:
    """Compute one anchor from its already computed dependencies (None when one failed)."""
    spec = rule.spec
    if isinstance(spec, date):
        return spec
    if isinstance(spec, tuple):
        names = spec[1:] if spec[0] == "max" else spec
        found = [dates.get(n) for n in names]
        return None if None in found else max(found)
    if spec.apres not in rules:
        problems.append(
            Problem(
                rule.path + ".apres", "ancre inconnue : aucune tâche ou étape de ce nom", spec.apres
            )
        )
        return None
    anchor = dates.get(spec.apres)
    return None if anchor is None else _shift(calendar, anchor, spec, rule.path, problems)


def _shift(calendar, anchor: date, spec: RelativeDeadline, path: str, problems) -> date | None:
    try:
        result = calendar.shift(anchor, spec.delai, spec.unite)
    except (OverflowError, ValueError):
        result = None
    if result is None or not FIRST_YEAR - 100 <= result.year <= LAST_YEAR + 100:
        problems.append(
            Problem(path, "date calculée hors limites (délais trop grands)", spec.apres)
        )
        return None
    return result


def period_dates(period: PeriodIn, path: str, dates: dict[str, date], calendar: WorkingCalendar):
    """Return (start, end) of a period; its start may be an anchor."""
    if isinstance(period.debut, RelativeDeadline):
        anchor = dates.get(period.debut.apres)
        if anchor is None:
            raise ScheduleError(
                [Problem(f"{path}.debut.apres", "ancre inconnue", period.debut.apres)]
            )
        problems: list[Problem] = []
        start = _shift(calendar, anchor, period.debut, f"{path}.debut", problems)
        if start is None:
            raise ScheduleError(problems)
    else:
        start = period.debut
    end = period.fin if period.fin is not None else start + timedelta(days=period.duree - 1)
    return start, end
