"""Appropriation and non-intervention periods pause the case clock for relative deadlines."""

from datetime import date
from pathlib import Path

from sqlmodel import select

from dla.calendar import calendar_for
from dla.casefile.loader import CasePlan, load_case_file
from dla.casefile.pauses import Pause, paused_due
from models import Step, TimelineEvent
from models.enums import DayUnit
from tests.factories import case_data, save_case, write_case

ISERE = calendar_for("38")


def period(debut, duree=30, cle="appropriation-note", kind="appropriation") -> dict:
    return {"cle": cle, "type": kind, "apres": "note-diagnostic", "debut": debut, "duree": duree}


def with_restitution(delai: int = 10, unite: str = "jours_ouvres") -> dict:
    """The factory case plus a step due `delai` after the diagnostic note."""
    data = case_data()
    data["etapes"][0]["taches"].append(
        {
            "cle": "restitution",
            "titre": "Restitution aux conseils",
            "responsable": "prestataire",
            "echeance": {"apres": "tache:note-diagnostic", "delai": delai, "unite": unite},
        }
    )
    return data


def plan_of(directory: Path, data: dict) -> CasePlan:
    return load_case_file(write_case(directory, data))


def dues(plan: CasePlan) -> dict[str, date]:
    return {t.key: t.due for s in plan.stages for t in s.tasks}


AFTER_NOTE = {"apres": "tache:note-diagnostic", "delai": 1}


def test_a_deadline_running_through_a_period_is_extended_by_its_working_days(tmp_path):
    data = with_restitution() | {"periodes": [period(AFTER_NOTE)]}

    plan = plan_of(tmp_path, data)

    # Note on 22 Jan; the clock stops 23 Jan–21 Feb; ten working days then run from 21 Feb.
    assert dues(plan)["restitution"] == date(2024, 3, 6)
    assert plan_of(tmp_path, with_restitution()).stages[0].tasks[1].due == date(2024, 2, 5)


def test_deadlines_counted_from_a_moved_one_follow_it(tmp_path):
    data = with_restitution() | {"periodes": [period(AFTER_NOTE)]}

    plan = plan_of(tmp_path, data)

    assert plan.stages[0].end == date(2024, 3, 6)
    # Two months after the diagnostic's validation anchor, itself moved with the stage end.
    assert dues(plan)["recrutement"] == date(2024, 5, 6)
    moved = {s.anchor: (s.before, s.after, s.pauses) for s in plan.shifts}
    assert moved["tache:restitution"] == (
        date(2024, 2, 5),
        date(2024, 3, 6),
        ("appropriation-note",),
    )
    assert moved["fin:diagnostic"][1] == date(2024, 3, 6)
    assert moved["tache:recrutement"] == (
        date(2024, 4, 5),
        date(2024, 5, 6),
        ("appropriation-note",),
    )


def test_a_deadline_reached_before_the_period_starts_does_not_move(tmp_path):
    data = with_restitution(delai=3) | {
        "periodes": [period({"apres": "tache:note-diagnostic", "delai": 5})]
    }

    plan = plan_of(tmp_path, data)

    assert dues(plan)["restitution"] == date(2024, 1, 25)
    assert "tache:restitution" not in {s.anchor for s in plan.shifts}


def test_an_absolute_date_is_kept_and_a_count_from_inside_a_period_starts_at_its_end(tmp_path):
    data = with_restitution()
    data["etapes"][0]["taches"][0]["echeance"] = date(2024, 1, 22)
    data["periodes"] = [period(date(2024, 1, 9), duree=60)]

    plan = plan_of(tmp_path, data)

    assert dues(plan)["note-diagnostic"] == date(2024, 1, 22)
    # The period runs 9 Jan–8 Mar: ten working days are counted from 8 March.
    assert dues(plan)["restitution"] == date(2024, 3, 22)


def test_calendar_units_are_extended_by_the_days_of_the_period():
    pause = Pause("non-intervention", date(2024, 7, 1), date(2024, 8, 31))

    due, applied = paused_due(ISERE, date(2024, 6, 14), date(2024, 9, 14), DayUnit.mois, [pause])

    assert due == date(2024, 11, 15)
    assert applied == ("non-intervention",)


def test_two_periods_in_a_row_both_pause_the_clock():
    first = Pause("appropriation", date(2024, 3, 4), date(2024, 3, 8))
    second = Pause("non-intervention", date(2024, 3, 18), date(2024, 3, 22))

    due, applied = paused_due(
        ISERE, date(2024, 3, 1), date(2024, 3, 15), DayUnit.jours_ouvres, [second, first]
    )

    assert due == date(2024, 3, 29)
    assert applied == ("appropriation", "non-intervention")


def test_a_deadline_counted_backwards_is_never_paused():
    pause = Pause("appropriation", date(2024, 3, 4), date(2024, 3, 8))

    assert paused_due(
        ISERE, date(2024, 3, 15), date(2024, 3, 1), DayUnit.jours_ouvres, [pause]
    ) == (
        date(2024, 3, 1),
        (),
    )


def test_a_saved_case_logs_each_shift_once_and_keeps_the_unpaused_date(engine, session, tmp_path):
    data = with_restitution() | {"periodes": [period(AFTER_NOTE)]}

    save_case(engine, tmp_path, data)
    data["titre"] = "Titre changé"  # a reload for another reason must not log the shift again
    save_case(engine, tmp_path, data, day=date(2024, 1, 10))

    events = session.exec(
        select(TimelineEvent).where(TimelineEvent.kind == "deadline.paused")
    ).all()
    summaries = {e.data["anchor"]: e.summary for e in events}
    assert len(events) == len(summaries)
    assert set(summaries) == {
        "tache:restitution",
        "fin:diagnostic",
        "debut:mise-en-oeuvre",
        "tache:recrutement",
        "fin:mise-en-oeuvre",
    }
    assert summaries["tache:restitution"] == (
        "Échéance de la tâche « Restitution aux conseils » décalée du 5 février 2024 au "
        "6 mars 2024 : horloge du cas suspendue (période d'appropriation « appropriation-note », "
        "du 23 janvier 2024 au 21 février 2024)"
    )
    # "de" + "le début" contracts: "du début" (never "de le début").
    assert summaries["debut:mise-en-oeuvre"].startswith(
        "Échéance du début de l'étape « Mise en œuvre » décalée du "
    )
    step = session.exec(select(Step).where(Step.key == "restitution")).one()
    assert step.deadline["sans_pause"] == "2024-02-05"
    assert step.deadline["suspendu_par"] == ["appropriation-note"]
