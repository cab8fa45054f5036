"""Apply a case file's stages on top of its case template (journey)."""

from dataclasses import dataclass

from dla.casefile.schema import CaseFile, Journey, StageIn, TaskIn
from models.enums import MOMENT_ORDER


def merge_stages(case: CaseFile, journey: Journey | None) -> list[StageIn]:
    """Return the case's stages: the template's, overridden and extended by the file's."""
    merged: dict[str, StageIn] = {s.cle: s for s in journey.etapes} if journey else {}
    for stage in case.etapes:
        base = merged.get(stage.cle)
        merged[stage.cle] = _merge_stage(base, stage) if base else stage
    stages = [_without_retired(s) for s in merged.values()]
    # Stages without a moment are reported by the checks; keep them last meanwhile.
    stages.sort(key=lambda s: (MOMENT_ORDER.get(s.temps, 99), s.phase))
    return stages


def _merge_stage(base: StageIn, override: StageIn) -> StageIn:
    fields = override.model_fields_set - {"taches", "decisions"}
    tasks: dict[str, TaskIn] = {t.cle: t for t in base.taches}
    for task in override.taches:
        previous = tasks.get(task.cle)
        tasks[task.cle] = (
            previous.model_copy(update={n: getattr(task, n) for n in task.model_fields_set})
            if previous
            else task
        )
    return base.model_copy(
        update={
            **{name: getattr(override, name) for name in fields},
            "taches": list(tasks.values()),
            "decisions": [*base.decisions, *override.decisions],
        }
    )


def _without_retired(stage: StageIn) -> StageIn:
    if not any(t.retiree for t in stage.taches):
        return stage
    return stage.model_copy(update={"taches": [t for t in stage.taches if not t.retiree]})


@dataclass(frozen=True)
class StagePaths:
    """Where a merged stage and its tasks are written, for messages: in the file, else in the template."""

    stage: str
    tasks: list[str]
    decisions: list[str]


def locate(case: CaseFile, journey: Journey | None, stages: list[StageIn]) -> list[StagePaths]:
    """Return the paths of each merged stage and task (merging reorders and combines them)."""
    in_file = {}
    for i, stage in enumerate(case.etapes):
        in_file.setdefault(stage.cle, i)
    in_template = {s.cle: k for k, s in enumerate(journey.etapes)} if journey else {}
    located = []
    for stage in stages:
        i, k = in_file.get(stage.cle), in_template.get(stage.cle)
        here = f"etapes[{i}]" if i is not None else f"modele.etapes[{k}]"
        if k is None:  # the file's own stage, taken as written
            kept = [j for j, t in enumerate(case.etapes[i].taches) if not t.retiree]
            if len(kept) != len(stage.taches):  # the stage's key is written twice (reported)
                kept = list(range(len(stage.taches)))
            tasks = [f"{here}.taches[{j}]" for j in kept]
            decisions = [f"{here}.decisions[{j}]" for j in range(len(stage.decisions))]
        else:
            tasks = [_task_path(task.cle, case, i, journey, k) for task in stage.taches]
            # Merged decisions are the template's, then the file's.
            decisions = [
                f"modele.etapes[{k}].decisions[{j}]"
                for j in range(len(journey.etapes[k].decisions))
            ]
            decisions += [
                f"etapes[{n}].decisions[{j}]"
                for n, written in enumerate(case.etapes)
                if written.cle == stage.cle
                for j in range(len(written.decisions))
            ]
        located.append(StagePaths(here, tasks, decisions))
    return located


def _task_path(key: str, case: CaseFile, i: int | None, journey: Journey, k: int) -> str:
    if i is not None:
        for j, task in enumerate(case.etapes[i].taches):
            if task.cle == key:
                return f"etapes[{i}].taches[{j}]"
    for j, task in enumerate(journey.etapes[k].taches):
        if task.cle == key:
            return f"modele.etapes[{k}].taches[{j}]"
    return f"etapes[{i}].taches"  # unreachable: every merged task comes from one or the other
