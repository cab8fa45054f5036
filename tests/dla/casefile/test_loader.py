"""A valid case file becomes a plan: stages, steps and follow-ups dated in working days."""

from datetime import date
from pathlib import Path

import pytest

from dla.casefile.loader import CasePlan, load_case_file
from dla.casefile.problems import CaseFileError
from dla.casefile.schema import CaseFile, Journey
from models.enums import Body
from tests.factories import case_data, write_case


def load(directory: Path, **overrides) -> CasePlan:
    return load_case_file(write_case(directory, case_data(**overrides)))


def due_dates(plan: CasePlan) -> dict[str, date]:
    return {task.key: task.due for stage in plan.stages for task in stage.tasks}


def with_decisions(*decisions: dict) -> list[dict]:
    stages = case_data()["etapes"]
    stages[0]["decisions"] = list(decisions)
    return stages


def decision(structure: str, verdict: str, day: date, **extra) -> dict:
    return {
        "structure": structure,
        "instance": "conseil_administration",
        "decision": verdict,
        "date": day,
        **extra,
    }


def test_a_valid_case_file_loads_into_a_plan(tmp_path: Path):
    path = write_case(tmp_path)

    plan = load_case_file(path)

    assert plan.case.reference == "DLA99-2024-01"
    assert plan.source_path == str(path)
    assert [stage.source.cle for stage in plan.stages] == ["diagnostic", "mise-en-oeuvre"]
    assert [stage.position for stage in plan.stages] == [0, 1]


def test_a_file_saved_by_a_windows_editor_loads(tmp_path: Path):
    path = write_case(tmp_path, name="windows.yaml")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))

    assert load_case_file(path).case == load(tmp_path).case


def test_relative_deadlines_are_counted_in_working_days(tmp_path: Path):
    plan = load(tmp_path)

    # Monday 8 January 2024 + 10 working days, then the stage's validation + 2 months.
    assert due_dates(plan) == {
        "note-diagnostic": date(2024, 1, 22),
        "recrutement": date(2024, 3, 22),
    }


@pytest.mark.parametrize(
    ("departement", "due"),
    [
        pytest.param("38", date(2007, 4, 10), id="isere-works-on-good-friday"),
        pytest.param("57", date(2007, 4, 11), id="moselle-rests-on-good-friday"),
    ],
)
def test_working_days_follow_the_holidays_of_the_departement(
    tmp_path: Path, departement: str, due: date
):
    # Five working days from Monday 2 April 2007; Good Friday was the 6th, Easter Monday the 9th.
    stages = case_data()["etapes"]
    stages[0]["taches"][0]["echeance"]["delai"] = 5

    plan = load(tmp_path, departement=departement, debut=date(2007, 4, 2), etapes=stages)

    assert due_dates(plan)["note-diagnostic"] == due


@pytest.mark.parametrize(
    ("delay", "unit", "due"),
    [
        pytest.param(10, "jours", date(2024, 1, 18), id="calendar-days"),
        pytest.param(2, "semaines", date(2024, 1, 22), id="weeks"),
        pytest.param(1, "mois", date(2024, 2, 8), id="months"),
        pytest.param(-3, "jours_ouvres", date(2024, 1, 3), id="working-days-before-the-anchor"),
    ],
)
def test_a_deadline_can_count_other_units(tmp_path: Path, delay: int, unit: str, due: date):
    stages = case_data()["etapes"]
    stages[0]["taches"][0]["echeance"] = {
        "apres": "debut:diagnostic",
        "delai": delay,
        "unite": unit,
    }
    stages[0]["debut"], stages[0]["fin"] = date(2024, 1, 8), date(2024, 3, 1)

    plan = load(tmp_path, debut=date(2024, 1, 1), etapes=stages)

    assert due_dates(plan)["note-diagnostic"] == due


def test_an_absolute_deadline_is_kept_as_written(tmp_path: Path):
    stages = case_data()["etapes"]
    stages[0]["taches"][0]["echeance"] = date(2024, 2, 1)

    plan = load(tmp_path, etapes=stages)

    assert due_dates(plan)["note-diagnostic"] == date(2024, 2, 1)
    assert plan.stages[0].tasks[0].deadline == {"date": "2024-02-01"}


def test_the_first_stage_starts_with_the_accompaniment_and_ends_with_its_last_step(tmp_path: Path):
    plan = load(tmp_path)

    assert (plan.stages[0].start, plan.stages[0].end) == (date(2024, 1, 8), date(2024, 1, 22))


def test_a_stage_starts_by_default_when_the_previous_one_ends(tmp_path: Path):
    plan = load(tmp_path)

    assert plan.stages[1].start == plan.stages[0].end == date(2024, 1, 22)


def test_stages_are_planned_in_the_order_of_the_moments_whatever_the_order_written(tmp_path: Path):
    plan = load(tmp_path, etapes=list(reversed(case_data()["etapes"])))

    assert [stage.source.cle for stage in plan.stages] == ["diagnostic", "mise-en-oeuvre"]
    assert plan.stages[1].start == date(2024, 1, 22)


def test_members_placeholder_expands_to_each_siae_member(tmp_path: Path):
    data = case_data()
    data["organisations"].append({"cle": "reseau-iae", "nom": "Réseau IAE", "type": "reseau"})
    data["membres"].append({"organisation": "reseau-iae", "role": "reseau"})

    plan = load_case_file(write_case(tmp_path, data))

    assert plan.stages[0].validators == [
        ("aci-un", Body.conseil_administration),
        ("ai-deux", Body.conseil_administration),
    ]


def test_members_placeholder_in_a_step_validation_expands_too(tmp_path: Path):
    stages = case_data()["etapes"]
    stages[0]["taches"][0]["validation"] = [
        {"structure": "@membres", "instance": "bureau"},
        {"structure": "aci-un", "instance": "bureau"},
        {"instance": "comite_pilotage"},
    ]

    plan = load(tmp_path, etapes=stages)

    assert plan.stages[0].tasks[0].validators == [
        ("aci-un", Body.bureau),
        ("ai-deux", Body.bureau),
        (None, Body.comite_pilotage),
    ]


def test_a_stage_validation_anchor_is_the_stage_end_until_decided(tmp_path: Path):
    plan = load(tmp_path)

    assert due_dates(plan)["recrutement"] == date(2024, 3, 22)  # fin:diagnostic 22 Jan + 2 months


def test_a_stage_validation_anchor_is_the_latest_decision_not_refused(tmp_path: Path):
    stages = with_decisions(
        decision("aci-un", "validee", date(2024, 2, 5)),
        decision("ai-deux", "validee_avec_reserves", date(2024, 2, 12)),
        decision("ai-deux", "refusee", date(2024, 2, 20)),
        decision("aci-un", "validee", date(2024, 2, 28), tache="note-diagnostic"),
    )

    plan = load(tmp_path, etapes=stages)

    assert due_dates(plan)["recrutement"] == date(2024, 4, 12)


def test_a_refused_stage_keeps_its_end_as_validation_anchor(tmp_path: Path):
    plan = load(tmp_path, etapes=with_decisions(decision("aci-un", "refusee", date(2024, 2, 5))))

    assert due_dates(plan)["recrutement"] == date(2024, 3, 22)


def test_a_case_file_overrides_and_retires_steps_of_its_template(tmp_path: Path, monkeypatch):
    template = Journey.model_validate(
        {
            "nom": "essai",
            "titre": "Parcours d'essai",
            "description": "Un modèle pour le test",
            "etapes": [
                {
                    "cle": "diagnostic",
                    "temps": "diagnostic",
                    "titre": "Diagnostic du modèle",
                    "taches": [
                        {
                            "cle": "cadrage",
                            "titre": "Cadrage",
                            "responsable": "coordination",
                            "echeance": {"apres": "debut:diagnostic", "delai": 5},
                        },
                        {
                            "cle": "entretiens",
                            "titre": "Entretiens",
                            "responsable": "prestataire",
                            "echeance": {"apres": "tache:cadrage", "delai": 5},
                        },
                    ],
                }
            ],
        }
    )
    monkeypatch.setattr("dla.casefile.loader.available_journeys", lambda: {"essai": template})
    stages = case_data()["etapes"]
    stages[0]["taches"] += [
        {"cle": "entretiens", "retiree": True},
        {"cle": "cadrage", "echeance": {"apres": "debut:diagnostic", "delai": 2}},
    ]

    plan = load(tmp_path, modele="essai", etapes=stages)

    tasks = plan.stages[0].tasks
    assert [(t.key, t.title, t.due) for t in tasks] == [
        ("cadrage", "Cadrage", date(2024, 1, 10)),
        ("note-diagnostic", "Note de diagnostic remise", date(2024, 1, 22)),
    ]
    assert plan.stages[0].source.titre == "Diagnostic partagé"


def test_a_retired_step_of_the_file_is_left_out_of_the_plan(tmp_path: Path):
    stages = case_data()["etapes"]
    stages[0]["taches"].insert(0, {"cle": "brouillon", "titre": "Brouillon", "retiree": True})

    plan = load(tmp_path, etapes=stages)

    assert [t.key for t in plan.stages[0].tasks] == ["note-diagnostic"]


def test_follow_ups_come_3_6_and_12_months_after_implementation(tmp_path: Path):
    plan = load(tmp_path)

    assert plan.follow_ups == [
        (3, date(2024, 6, 22)),
        (6, date(2024, 9, 22)),
        (12, date(2025, 3, 22)),
    ]


def test_follow_ups_can_be_chosen_in_the_file(tmp_path: Path):
    plan = load(tmp_path, suivis=[24, 1, 1])

    assert plan.follow_ups == [(1, date(2024, 4, 22)), (24, date(2026, 3, 22))]


def test_follow_ups_count_from_the_end_of_implementation_not_of_later_stages(tmp_path: Path):
    stages = case_data()["etapes"]
    stages.append(
        {
            "cle": "bilan",
            "temps": "suivi",
            "titre": "Bilan",
            "taches": [
                {
                    "cle": "bilan-final",
                    "titre": "Bilan final",
                    "responsable": "coordination",
                    "echeance": {"apres": "fin:mise-en-oeuvre", "delai": 6, "unite": "mois"},
                }
            ],
        }
    )

    plan = load(tmp_path, etapes=stages)

    assert plan.stages[-1].end == date(2024, 9, 22)
    assert plan.follow_ups[0] == (3, date(2024, 6, 22))


def test_a_period_can_start_after_a_step_and_last_some_days(tmp_path: Path):
    period = {
        "cle": "appropriation-note",
        "type": "appropriation",
        "apres": "note-diagnostic",
        "debut": {"apres": "tache:note-diagnostic", "delai": 1},
        "duree": 30,
    }

    plan = load(tmp_path, periodes=[period])

    (planned,) = plan.periods
    assert (planned.start, planned.end, planned.after_step) == (
        date(2024, 1, 23),
        date(2024, 2, 21),
        "note-diagnostic",
    )


def test_quoted_and_unquoted_numbers_are_read_as_the_same_departement_and_siret(tmp_path: Path):
    data = case_data(departement=1)
    data["organisations"][1]["siret"] = 73282932000074

    plan = load_case_file(write_case(tmp_path, data))

    assert plan.case.departement == "01"
    assert plan.case.organisations[1].siret == "73282932000074"


def test_the_json_schema_has_french_titles():
    schema = CaseFile.model_json_schema()

    assert schema["title"] == "Fichier de cas d'accompagnement DLA"
    assert schema["properties"]["debut"]["title"] == "Début de l'accompagnement"
    assert schema["properties"]["annee_diagnostic"]["title"] == "Année du diagnostic"
    assert schema["$defs"]["TaskIn"]["title"] == "Tâche"
    assert schema["$defs"]["DemandOrigin"]["title"] == "Choix : origine de la demande"
    for name, definition in [("CaseFile", schema), *schema["$defs"].items()]:
        assert definition["title"] != name, f"{name} has no French title"
        for field, prop in definition.get("properties", {}).items():
            assert "title" in prop or "$ref" in prop, f"{name}.{field} has no title"


def test_the_json_schema_forbids_fields_it_does_not_know():
    schema = CaseFile.model_json_schema()

    blocks = [schema, *(d for d in schema["$defs"].values() if d.get("type") == "object")]
    assert len(blocks) > 10
    assert all(block["additionalProperties"] is False for block in blocks)


def test_the_source_hash_is_the_same_for_the_same_content(tmp_path: Path):
    first = load_case_file(write_case(tmp_path, name="un.yaml"))
    path = write_case(tmp_path, name="deux.yaml")
    path.write_text(
        "# Même cas, autre mise en forme\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )

    second = load_case_file(path)

    assert first.source_hash == second.source_hash
    assert len(first.source_hash) == 64


def test_the_source_hash_ignores_the_order_of_fields(tmp_path: Path):
    data = case_data()
    reordered = dict(reversed(list(data.items())))

    first = load_case_file(write_case(tmp_path, data, name="un.yaml"))
    second = load_case_file(write_case(tmp_path, reordered, name="deux.yaml"))

    assert first.source_hash == second.source_hash


def test_the_source_hash_changes_when_the_content_changes(tmp_path: Path):
    first = load_case_file(write_case(tmp_path, name="un.yaml"))
    second = load_case_file(
        write_case(tmp_path, case_data(titre="Un autre intitulé"), name="deux.yaml")
    )

    assert first.source_hash != second.source_hash


def test_members_placeholder_in_a_decision_records_one_per_siae_member(tmp_path: Path):
    plan = load(
        tmp_path,
        etapes=with_decisions(decision("@membres", "validee", date(2024, 1, 24))),
    )

    assert sorted(d.structure for d in plan.stages[0].decisions) == ["aci-un", "ai-deux"]


def test_a_case_file_can_tune_its_reminders(tmp_path: Path):
    plan = load(tmp_path, relances={"echeance_proche": [10, 2], "resume_hebdo": False})

    assert plan.case.relances.echeance_proche == [10, 2]


def test_a_bad_reminder_setting_is_refused_with_its_path(tmp_path: Path):
    with pytest.raises(CaseFileError, match=r"relances\.retard_rappels"):
        load(tmp_path, relances={"retard_rappels": -1})


def test_reminder_settings_come_from_the_template_and_the_file_wins(tmp_path: Path, monkeypatch):
    template = Journey.model_validate(
        {
            "nom": "essai",
            "titre": "Parcours d'essai",
            "description": "Un modèle pour le test",
            "etapes": case_data()["etapes"][:1],
            "relances": {"echeance_proche": [5], "retard_rappels": 2},
        }
    )
    monkeypatch.setattr("dla.casefile.loader.available_journeys", lambda: {"essai": template})

    plan = load(tmp_path, modele="essai", relances={"retard_rappels": 4})

    assert plan.case.relances.echeance_proche == [5]
    assert plan.case.relances.retard_rappels == 4
    assert plan.case.model_dump(mode="json", exclude_unset=True)["relances"] == {
        "echeance_proche": [5],
        "retard_rappels": 4,
    }


def test_a_day_budget_is_kept_per_task_and_an_unknown_task_is_refused(tmp_path: Path):
    budget = {"note-diagnostic": {"terrain": 2, "cabinet": 1.5}}

    plan = load(tmp_path, contexte={"budget_jours": budget})

    assert plan.case.contexte.budget_jours["note-diagnostic"].cabinet == 1.5
    with pytest.raises(CaseFileError, match=r"contexte\.budget_jours\.fantome : tâche inconnue"):
        load(tmp_path, contexte={"budget_jours": {"fantome": {"terrain": 1}}})
