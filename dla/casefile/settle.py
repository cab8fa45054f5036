"""Make an exported case file give back the dates the database holds, writing the others out."""

import copy
from datetime import date

from dla.casefile.draft import Rows, tidy
from dla.casefile.loader import CasePlan, build_plan
from dla.casefile.merge import locate, merge_stages
from dla.casefile.problems import CaseFileError, Problem
from dla.casefile.schedule import build_rules, dependencies
from models.enums import StepStatus


def settle_dates(document: dict, rows: Rows) -> tuple[CasePlan | None, list[Problem]]:
    """Plan the document and write as a date each one it does not give back; tidy it in place.

    A deadline kept as written (an anchor plus an offset) follows its anchor when the file is
    edited later. One the case no longer computes that way (a deadline moved, a stage's end
    moved by a refusal, a period started on another day) is written as the date itself, the
    first of a chain only: what follows from it keeps its anchor. Return the plan of the final
    document, or None and the problems that keep it from loading back as it is.
    """
    name = f"{rows.case.reference}.yaml"
    wanted = _dates(rows)
    pinned_all = False
    for _ in range(len(wanted) + len(rows.periods) + 3):
        current = tidy(document)
        try:
            plan = build_plan(copy.deepcopy(current), {}, name)
        except CaseFileError as exc:
            problems = exc.problems
            if pinned_all:
                break
            # The draft does not load (data an older version accepted): write every date out,
            # so that they at least come back, and read it once more.
            _pin(document, wanted, list(wanted))
            _pin_periods(document, rows.periods)
            pinned_all = True
            continue
        periods = [p for p in rows.periods if _period_moved(plan, p)]
        wrong = [a for a, day in _planned(plan).items() if wanted.get(a, day) != day]
        if not periods and not wrong:
            _replace(document, current)
            return plan, []
        if periods:  # a period pauses the case clock: settle the periods first
            _pin_periods(document, periods)
        else:
            _pin(document, wanted, _first_of_chains(plan, wrong))
        problems = [Problem("etapes", "dates de la base non retrouvées", wrong[:3] or None)]
    _replace(document, tidy(document))
    return None, problems


def _dates(rows: Rows) -> dict[str, date]:
    """The dates the database holds, by anchor name (tache:KEY, debut:STAGE, fin:STAGE)."""
    dates = {f"tache:{s.key}": s.due_date for s in rows.steps if s.status is not StepStatus.annulee}
    for stage in rows.stages:
        dates[f"debut:{stage.key}"] = stage.planned_start
        dates[f"fin:{stage.key}"] = stage.planned_end
    return dates


def _planned(plan: CasePlan) -> dict[str, date]:
    dates = {}
    for stage in plan.stages:
        dates[f"debut:{stage.source.cle}"] = stage.start
        dates[f"fin:{stage.source.cle}"] = stage.end
        dates |= {f"tache:{t.key}": t.due for t in stage.tasks}
    return dates


def _period_moved(plan: CasePlan, period) -> bool:
    planned = next((p for p in plan.periods if p.key == period.key), None)
    return planned is None or (planned.start, planned.end) != (period.start_on, period.end_on)


def _first_of_chains(plan: CasePlan, wrong: list[str]) -> list[str]:
    """Keep the wrong dates whose own anchors are right: the others follow once those are."""
    stages = merge_stages(plan.case, plan.journey)
    rules = build_rules(plan.case, stages, locate(plan.case, plan.journey, stages))
    bad = set(wrong)
    # A validation date is a stage's end until a favourable decision: wrong with that end.
    bad |= {
        n
        for n, r in rules.items()
        if n.startswith("validation:") and bad & {*dependencies(r.spec, rules)}
    }
    first = [a for a in wrong if not bad & set(dependencies(rules[a].spec, rules))]
    return first or wrong


def _pin(document: dict, wanted: dict[str, date], anchors: list[str]) -> None:
    """Write each anchor's date from the database into the document."""
    for anchor in anchors:
        kind, key = anchor.split(":", 1)
        for stage in document.get("etapes", []):
            if kind in ("debut", "fin") and stage["cle"] == key:
                stage[kind] = wanted[anchor]
            for task in stage.get("taches", []) if kind == "tache" else []:
                if task["cle"] == key:
                    task["echeance"] = wanted[anchor]


def _pin_periods(document: dict, periods: list) -> None:
    days = {p.key: (p.start_on, p.end_on) for p in periods}
    for entry in document.get("periodes", []):
        if entry["cle"] in days:
            entry.pop("duree", None)
            entry["debut"], entry["fin"] = days[entry["cle"]]


def _replace(document: dict, current: dict) -> None:
    document.clear()
    document.update(current)
