"""Apply a case file's stages on top of its case template (journey)."""

from dla.casefile.schema import CaseFile, Journey, StageIn, TaskIn
from models.enums import MOMENT_ORDER


def merge_stages(case: CaseFile, journey: Journey | None) -> list[StageIn]:
    """Return the case's stages: the template's, overridden and extended by the file's."""
    merged: dict[str, StageIn] = {s.cle: s for s in journey.etapes} if journey else {}
    for stage in case.etapes:
        base = merged.get(stage.cle)
        merged[stage.cle] = _merge_stage(base, stage) if base else stage
    stages = list(merged.values())
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
            "taches": [t for t in tasks.values() if not t.retiree],
            "decisions": [*base.decisions, *override.decisions],
        }
    )
