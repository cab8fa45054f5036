"""The stages of a case as case-file data: what each adds to or changes in its template."""

from datetime import date
from enum import Enum

from dla.casefile.schema import RelativeDeadline, StageIn
from models.enums import StepStatus


def stage_entries(rows, journey, siae: list[str], written: dict) -> list[dict]:
    """One entry per stage of the case (`rows`: `draft.Rows`), in their order.

    `siae` are the keys of the SIAE members (what `@membres` stands for) and `written` the
    stages as the last file loaded wrote them, whose start and end are kept as written.
    """
    template = {s.cle: s for s in journey.etapes} if journey else {}
    entries = []
    for stage in rows.stages:
        base: StageIn | None = template.get(stage.key)
        steps = [s for s in rows.steps if s.stage_id == stage.id]
        needs = [r for r in rows.requirements if r.stage_id == stage.id]
        entry = {"cle": stage.key}
        for name, value in (
            ("temps", plain_value(stage.moment)),
            ("phase", stage.phase),
            ("titre", stage.title),
        ):
            default = getattr(base, name) if base else StageIn.model_fields[name].default
            if plain_value(default) != value:
                entry[name] = value
        mine = written.get(stage.key) or {}
        entry |= {n: deadline(mine[n]) for n in ("debut", "fin") if mine.get(n) is not None}
        if (gate := _gate(stage, needs, base, siae, rows.keys)) is not ...:
            entry["validation"] = gate
        entry["taches"] = _tasks(steps, needs, base, siae, rows.keys)
        entry["decisions"] = [
            _decision(v, rows) for v in rows.validations if v.stage_id == stage.id
        ]
        entries.append(entry)
    return entries


def _tasks(steps, needs, base: StageIn | None, siae, keys) -> list[dict]:
    """Every step of the stage: the template's first (changed or retired), then its own."""
    live = {s.key: s for s in steps if s.status is not StepStatus.annulee}
    inherited = [t for t in base.taches if not t.retiree] if base else []
    entries = []
    for task in inherited:
        step = live.pop(task.cle, None)
        if step is None:
            entries.append({"cle": task.cle, "retiree": True})
            continue
        entry = _task(step, needs, siae, keys)
        template = {
            "titre": task.titre,
            "responsable": task.responsable,
            "echeance": deadline(task.echeance) if task.echeance is not None else None,
            "validation": _expand(task.validation, siae),
            "livrable": task.livrable,
        }
        mine = {name: entry.get(name) for name in template}
        mine["validation"] = _expand(entry.get("validation", []), siae)
        entries.append(
            {"cle": task.cle}
            | {name: entry.get(name) for name in template if mine[name] != template[name]}
            | ({"fait_le": entry["fait_le"]} if "fait_le" in entry else {})
        )
    own = [pruned(_task(step, needs, siae, keys)) for step in live.values()]
    return entries + own


def _task(step, needs, siae, keys) -> dict:
    validators = [(r.organisation_id, r.body) for r in needs if r.step_id == step.id]
    entry = {
        "cle": step.key,
        "titre": step.title,
        "responsable": step.owner,
        "echeance": deadline(step.deadline) if _written(step.deadline) else step.due_date,
        "validation": _validators(validators, siae, keys),
        "livrable": step.deliverable,
    }
    if step.status is StepStatus.faite and step.done_on is not None:
        entry["fait_le"] = step.done_on
    return entry


def _gate(stage, needs, base: StageIn | None, siae, keys):
    """The stage's `validation` block, None to remove the template's, `...` when inherited."""
    validators = [(r.organisation_id, r.body) for r in needs if r.step_id is None]
    template = base.validation if base else None
    if template is not None and (
        _expand(_validators(validators, siae, keys), siae) == _expand(template.par, siae)
        and (template.regle, template.quorum, template.delai_grace)
        == (stage.gate_rule, stage.gate_quorum, stage.gate_grace_days)
    ):
        return ...
    if not validators:
        return None if template is not None and _expand(template.par, siae) else ...
    return pruned(
        {
            "regle": plain_value(stage.gate_rule),
            "quorum": stage.gate_quorum,
            "par": _validators(validators, siae, keys),
            "delai_grace": stage.gate_grace_days,
        }
    )


def _validators(validators, siae: list[str], keys) -> list[dict]:
    """Write validators by key; a body every SIAE member holds is written once, `@membres`."""
    pairs = [(keys.get(org), body) for org, body in validators]
    out: list[dict] = []
    for key, body in pairs:
        everyone = siae and set(siae) <= {k for k, b in pairs if b == body}
        if everyone and key in siae:
            key = "@membres"
        item = {"structure": key, "instance": plain_value(body)}
        if item not in out:
            out.append(item)
    return [pruned(v) for v in out]


def _expand(validators, siae: list[str]) -> set[tuple]:
    """Return validators (schema objects or written dicts) as (key, body) pairs."""
    pairs = set()
    for v in validators:
        structure, body = (
            (v.structure, v.instance)
            if not isinstance(v, dict)
            else (
                v.get("structure"),
                v["instance"],
            )
        )
        for key in siae if structure == "@membres" else [structure]:
            pairs.add((key, plain_value(body)))
    return pairs


def _decision(v, rows) -> dict:
    step = next((s.key for s in rows.steps if s.id == v.step_id), None) if v.step_id else None
    return pruned(
        {
            "structure": rows.keys.get(v.organisation_id),
            "instance": plain_value(v.body),
            "decision": plain_value(v.decision),
            "date": v.decided_on,
            "tache": step,
            "report_au": v.postponed_to,
            "commentaire": v.comment,
        }
    )


def deadline(value) -> date | dict:
    """Return a deadline as written in a file: a date, or its anchor, offset and unit."""
    if isinstance(value, RelativeDeadline):
        value = value.model_dump(mode="json")
    if isinstance(value, dict) and "apres" in value:
        relative = RelativeDeadline.model_validate(
            {k: value[k] for k in ("apres", "delai", "unite") if k in value}
        )
        return relative.model_dump(mode="json")
    return as_day(value["date"] if isinstance(value, dict) else value)


def _written(value) -> bool:
    return isinstance(value, dict) and ("apres" in value or "date" in value)


def as_day(value):
    """Return an ISO date (as the database's JSON keeps it) as a date; anything else as is."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def by_key(items) -> dict[str, dict]:
    """Index written entries (stages, periods) by their `cle`."""
    return {i["cle"]: i for i in items or [] if isinstance(i, dict) and "cle" in i}


def plain_value(value):
    """Return an enumeration's value as written in files; anything else as is."""
    return value.value if isinstance(value, Enum) else value


def pruned(data):
    """Drop empty values (None, empty lists and blocks) the schema defaults to anyway."""
    if isinstance(data, dict):
        kept = {k: pruned(v) for k, v in data.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(data, list):
        return [pruned(v) for v in data]
    return data
