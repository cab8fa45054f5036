"""Cross-field checks of a case file: references, uniqueness, completeness."""

from collections import Counter
from datetime import date

from dla.casefile.actionchecks import at, measure_problems, task_problems
from dla.casefile.merge import StagePaths
from dla.casefile.problems import Problem
from dla.casefile.schema import CaseFile, StageIn, ValidatorIn
from dla.inputs import absent_structure
from dla.validations import decision_day_problems
from models.enums import ContactRole, GateRule, MemberRole, OrganisationKind

OWNER_WORDS = {"coordination"} | {r.value for r in MemberRole}
# Reminder settings count working days before a date: a huge one would overflow the calendar
# when the reminders are planned, long after the file was accepted.
REMINDER_LIMITS = {"retard_coordination": 120, "periode_avant": 60, "suivi_avant": 120}
MAX_REMINDER_DAYS, MAX_REMINDERS = 60, 10


def check_case(
    case: CaseFile, stages: list[StageIn], paths: list[StagePaths], today: date | None = None
) -> list[Problem]:
    """Return every inconsistency between the parts of a case file.

    `stages` are the merged stages and `paths` where each of them and their tasks are written;
    `today` is the load day, after which no decision can have been taken.
    """
    problems: list[Problem] = []
    orgs = {o.cle: o for o in case.organisations}
    members = {m.organisation: m for m in case.membres}
    problems += _duplicates("organisations", [o.cle for o in case.organisations], "cle")
    problems += _duplicates("contacts", [c.email.lower() for c in case.contacts], "email")
    problems += _duplicates("membres", [m.organisation for m in case.membres], "organisation")
    problems += _duplicates("indicateurs", [i.cle for i in case.indicateurs], "cle")
    problems += _duplicates("periodes", [p.cle for p in case.periodes], "cle")
    tasks = {t.cle for stage in stages for t in stage.taches if not t.retiree}
    problems += [
        Problem(f"contexte.budget_jours.{key}", "tâche inconnue dans les étapes du cas", key)
        for key in case.contexte.budget_jours
        if key not in tasks
    ]

    host = orgs.get(case.porteur_dla)
    if host is None:
        problems.append(
            Problem(
                "porteur_dla", "organisation inconnue (absente de organisations)", case.porteur_dla
            )
        )
    elif host.type is not OrganisationKind.porteur_dla:
        problems.append(
            Problem("porteur_dla", "l'organisation doit être de type porteur_dla", case.porteur_dla)
        )
    for i, contact in enumerate(case.contacts):
        if contact.organisation not in orgs:
            problems.append(
                Problem(
                    f"contacts[{i}].organisation", "organisation inconnue", contact.organisation
                )
            )
    coordinator = next(
        (c for c in case.contacts if c.email.lower() == case.coordination.lower()), None
    )
    if coordinator is None:
        problems.append(
            Problem("coordination", "aucun contact n'a cette adresse", case.coordination)
        )
    elif coordinator.role is not ContactRole.coordination_dla:
        problems.append(
            Problem(
                "coordination", "ce contact doit avoir le rôle coordination_dla", case.coordination
            )
        )
    for i, member in enumerate(case.membres):
        if member.organisation not in orgs:
            problems.append(
                Problem(f"membres[{i}].organisation", "organisation inconnue", member.organisation)
            )
    for i, org in enumerate(case.organisations):
        for j, network in enumerate(org.reseaux):
            if network not in orgs or orgs[network].type is not OrganisationKind.reseau:
                problems.append(
                    Problem(f"organisations[{i}].reseaux[{j}]", "réseau inconnu", network)
                )

    # Merging combines stages of the same key: look for duplicates in the file as written.
    problems += _duplicates("etapes", [s.cle for s in case.etapes], "cle")
    for i, stage in enumerate(case.etapes):
        problems += _duplicates(f"etapes[{i}].taches", [t.cle for t in stage.taches], "cle")
    task_keys = [t.cle for s in stages for t in s.taches]
    task_paths = [f"{path}.cle" for located in paths for path in located.tasks]
    problems += [p for p in _duplicate_paths(task_paths, task_keys) if p not in problems]
    # The consultant is chosen during the plan stage: its role may be named before it is held.
    roles = {m.role.value for m in case.membres} | {"coordination", "prestataire"}
    described = [s.cle for s in stages if s.temps is not None or s.titre is not None]
    for stage, located in zip(stages, paths, strict=True):
        problems += _check_stage(located, stage, members, roles, described, today)
        problems += task_problems(located, stage, case, today)
    for i, period in enumerate(case.periodes):
        if period.apres and period.apres not in task_keys:
            problems.append(Problem(f"periodes[{i}].apres", "tâche inconnue", period.apres))
    return problems + measure_problems(case, today) + _check_reminders(case)


def _check_reminders(case: CaseFile) -> list[Problem]:
    if case.relances is None:
        return []
    settings = case.relances.model_dump(exclude_unset=True)
    problems = [
        Problem(f"relances.{name}", f"une valeur au plus égale à {limit} est attendue", value)
        for name, limit in REMINDER_LIMITS.items()
        if (value := settings.get(name, 0)) > limit
    ]
    days = settings.get("echeance_proche", [])
    if len(days) > MAX_REMINDERS:
        problems.append(
            Problem("relances.echeance_proche", f"au plus {MAX_REMINDERS} rappels", len(days))
        )
    problems += [
        Problem(
            f"relances.echeance_proche[{i}]",
            f"un nombre de jours ouvrés entre 0 et {MAX_REMINDER_DAYS} est attendu",
            n,
        )
        for i, n in enumerate(days)
        if not 0 <= n <= MAX_REMINDER_DAYS
    ]
    return problems


def _check_stage(
    located: StagePaths, stage: StageIn, members, roles, described: list[str], today: date | None
) -> list[Problem]:
    here = located.stage
    problems = []
    if stage.temps is None and stage.titre is None:
        # A key the template does not know (a typo, or decisions on a stage that is not there).
        known = ", ".join(described) or "aucune"
        problems.append(
            Problem(
                f"{here}.cle",
                f"étape inconnue (absente du modèle ; une nouvelle étape demande temps et titre) "
                f"; étapes connues : {known}",
                stage.cle,
            )
        )
    for name in ("temps", "titre") if stage.temps is not None or stage.titre is not None else ():
        if getattr(stage, name) is None:
            problems.append(
                Problem(
                    f"{here}.{name}", "champ obligatoire (ni dans le fichier ni dans le modèle)"
                )
            )
    if stage.validation:
        problems += _check_validators(f"{here}.validation.par", stage.validation.par, members)
        count = _expanded_count(stage.validation.par, members)
        if stage.validation.regle is GateRule.quorum and stage.validation.quorum > count:
            problems.append(
                Problem(
                    f"{here}.validation.quorum",
                    f"quorum supérieur aux {count} validations possibles",
                    stage.validation.quorum,
                )
            )
    for task, where in zip(stage.taches, located.tasks, strict=True):
        for name in ("titre", "responsable", "echeance"):
            if getattr(task, name) is None:
                problems.append(
                    Problem(
                        f"{where}.{name}",
                        "champ obligatoire (ni dans le fichier ni dans le modèle)",
                    )
                )
        if task.responsable and task.responsable not in roles and task.responsable not in members:
            expected = (
                "coordination, un rôle tenu dans le cas ("
                + ", ".join(sorted(roles))
                + ") ou un membre"
            )
            problems.append(
                Problem(
                    f"{where}.responsable",
                    f"responsable inconnu ; attendu : {expected}",
                    task.responsable,
                )
            )
        problems += _check_validators(f"{where}.validation", task.validation, members)
    for decision, where in zip(stage.decisions, located.decisions, strict=True):
        if decision.structure and decision.structure not in {*members, "@membres"}:
            # In the words of `dla validate` (dla/validations.py).
            problems += at(where, [absent_structure(decision.structure, list(members))], None)
        if decision.tache and decision.tache not in {t.cle for t in stage.taches}:
            problems.append(
                Problem(f"{where}.tache", "tâche inconnue dans cette étape", decision.tache)
            )
        # The check `dla validate` makes: a decision already taken is not dated after today.
        problems += [
            Problem(f"{where}.date", message, decision.date.isoformat())
            for message in decision_day_problems(decision.date, today)
        ]
    return problems


def _check_validators(here, validators: list[ValidatorIn], members) -> list[Problem]:
    return [
        Problem(f"{here}[{k}].structure", "structure absente des membres du cas", v.structure)
        for k, v in enumerate(validators)
        if v.structure and v.structure != "@membres" and v.structure not in members
    ]


def _expanded_count(validators: list[ValidatorIn], members) -> int:
    siae = [m for m in members.values() if m.role in (MemberRole.porteur, MemberRole.membre)]
    return sum(len(siae) if v.structure == "@membres" else 1 for v in validators)


def _duplicates(field: str, values: list[str], name: str) -> list[Problem]:
    return _duplicate_paths([f"{field}[{i}].{name}" for i in range(len(values))], values)


def _duplicate_paths(paths: list[str], values: list[str]) -> list[Problem]:
    counts = Counter(values)
    return [
        Problem(path, "valeur en double", value)
        for i, (path, value) in enumerate(zip(paths, values, strict=True))
        if counts[value] > 1 and values.index(value) != i
    ]
