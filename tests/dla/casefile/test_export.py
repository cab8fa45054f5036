"""`dla case export`: a case written back as its case file loads back unchanged, anywhere."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from dla.calendar import calendar_for
from dla.casefile.export import Export, export_case
from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.cases import LoadOutcome, save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.deliverables import MissingFacts, generate
from dla.opening import open_from_form
from dla.progress import plain_steps, replay
from dla.validations import DecisionInput, record_validation
from models import Indicator, Organisation, Period, Stage, Step, Validation
from models.enums import Body, Decision, OrganisationKind, StepStatus
from tests.dla.test_opening import form
from tests.dla.test_replay_splits import END, empty
from tests.factories import case_data, save_case
from tests.test_samples import REFERENCES, SAMPLES

REF = "DLA99-2024-01"


def export(engine, reference: str = REF) -> Export:
    with Session(engine) as session:
        return export_case(reference, session=session)


def load_text(engine, tmp_path: Path, text: str, day: date) -> LoadOutcome:
    """Load a case file's text as `dla case load` would on `day`."""
    path = tmp_path / "exporte.yaml"
    path.write_text(text, encoding="utf-8")
    with transaction(engine) as session:
        return save_plan(
            load_case_file(path, today=day),
            session=session,
            clock=FixedClock.on(day),
            actor="test",
            reason="export rechargé",
        )


def every_row(engine) -> dict[str, list]:
    """Every row of every table: what a no-op load must leave exactly as it was."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa_select(table).order_by(*table.primary_key))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def assert_round_trip(engine, tmp_path: Path, reference: str, day: date) -> Export:
    """Export; load back into the same base (nothing moves), then into an empty one (same file)."""
    first = export(engine, reference)
    assert first.problems == []
    before = every_row(engine)

    assert load_text(engine, tmp_path, first.text, day).status == "inchangé"
    assert every_row(engine) == before

    empty(engine)
    assert load_text(engine, tmp_path, first.text, day).status == "créé"
    assert export(engine, reference).text == first.text
    return first


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_a_replayed_sample_exports_a_file_that_loads_back_unchanged(engine, tmp_path, name):
    plan = load_case_file(SAMPLES / name)
    with transaction(engine) as session:
        save_plan(
            plan, session=session, clock=FixedClock.on(plan.case.debut), actor="t", reason="t"
        )
    replay(engine, plan.case.reference, END, plain_steps(engine))

    exported = assert_round_trip(engine, tmp_path, plan.case.reference, END)

    # What the sample says comes back: its facts, tasks done, decisions and periods.
    again = load_case_file(tmp_path / "exporte.yaml")
    assert again.case.contexte == plan.case.contexte
    assert again.source_hash == exported.source_hash
    assert {p.key: (p.start, p.end) for p in again.periods} == {
        p.key: (p.start, p.end) for p in plan.periods
    }
    done = {t.key: t.done_on for s in plan.stages for t in s.tasks if t.done_on}
    assert {t.key: t.done_on for s in again.stages for t in s.tasks if t.done_on} == done
    decided = sorted(
        (s.source.cle, d.structure or "", d.date) for s in plan.stages for d in s.decisions
    )
    assert (
        sorted((s.source.cle, d.structure or "", d.date) for s in again.stages for d in s.decisions)
        == decided
    )


def changed_case(engine, tmp_path) -> None:
    """A case changed after its file: a postponement entered, a task done, a period and an
    indicator moved in the base, as the coordinator's actions would."""
    data = case_data()
    data["etapes"][0]["taches"].append(
        {
            "cle": "restitution",
            "titre": "Restitution aux conseils",
            "responsable": "coordination",
            "echeance": {"apres": "tache:note-diagnostic", "delai": 5},
        }
    )
    data["periodes"] = [
        {
            "cle": "appropriation",
            "type": "appropriation",
            "apres": "note-diagnostic",
            "debut": {"apres": "tache:note-diagnostic", "delai": 1},
            "duree": 10,
        }
    ]
    data["indicateurs"] = [
        {"cle": "postes", "libelle": "Postes pourvus", "type": "quantitatif", "cible": 2}
    ]
    save_case(engine, tmp_path, data)
    replay(engine, REF, date(2024, 2, 20), plain_steps(engine))
    entry = DecisionInput(
        REF,
        "diagnostic",
        "aci-un",
        Body.conseil_administration,
        Decision.reportee,
        date(2024, 2, 19),
        "À revoir après l'assemblée",
        date(2024, 3, 15),
    )
    with transaction(engine) as session:
        clock = FixedClock.on(date(2024, 2, 20))
        record_validation(entry, session=session, clock=clock, recorded_by="t", channel="cli")
        note = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
        note.status, note.done_on = StepStatus.faite, date(2024, 1, 24)
        period = session.exec(select(Period)).one()
        period.end_on += timedelta(days=3)
        indicator = session.exec(select(Indicator)).one()
        indicator.measured_value, indicator.measured_on = 1.5, date(2024, 2, 1)
        session.add_all([note, period, indicator])
    replay(engine, REF, date(2024, 3, 20), plain_steps(engine))


def test_a_case_changed_after_its_file_exports_what_the_base_holds(engine, tmp_path):
    changed_case(engine, tmp_path)
    with Session(engine) as session:
        end = session.exec(select(Stage.planned_end).where(Stage.key == "diagnostic")).one()
    assert end == date(2024, 3, 15)  # moved by the postponement

    exported = assert_round_trip(engine, tmp_path, REF, date(2024, 3, 20))

    document = yaml.safe_load(exported.text)
    diagnostic = document["etapes"][0]
    assert diagnostic["fin"] == date(2024, 3, 15)
    assert diagnostic["decisions"] == [
        {
            "structure": "aci-un",
            "instance": "conseil_administration",
            "decision": "reportee",
            "date": date(2024, 2, 19),
            "report_au": date(2024, 3, 15),
            "commentaire": "À revoir après l'assemblée",
        }
    ]
    assert diagnostic["taches"][0]["fait_le"] == date(2024, 1, 24)
    assert document["periodes"][0] | {"note": None} == {
        "cle": "appropriation",
        "type": "appropriation",
        "apres": "note-diagnostic",
        "debut": date(2024, 1, 23),
        "fin": date(2024, 2, 4),
        "note": None,
    }
    assert document["indicateurs"][0]["mesure"] == 1.5


def test_a_deadline_moved_in_the_base_is_written_as_a_date_and_those_after_it_keep_their_anchor(
    engine, tmp_path
):
    data = case_data()
    data["etapes"][0]["taches"].append(
        {
            "cle": "restitution",
            "titre": "Restitution aux conseils",
            "responsable": "coordination",
            "echeance": {"apres": "tache:note-diagnostic", "delai": 5},
        }
    )
    save_case(engine, tmp_path, data)
    moved = date(2024, 1, 29)
    with transaction(engine) as session:  # the note moved a week later, its restitution follows
        steps = {s.key: s for s in session.exec(select(Step))}
        steps["note-diagnostic"].due_date = moved
        steps["restitution"].due_date = calendar_for("38").add_working_days(moved, 5)
        session.add_all(steps.values())

    exported = assert_round_trip(engine, tmp_path, REF, date(2024, 2, 1))

    tasks = {t["cle"]: t for t in yaml.safe_load(exported.text)["etapes"][0]["taches"]}
    assert tasks["note-diagnostic"]["echeance"] == moved
    assert tasks["restitution"]["echeance"] == {
        "apres": "tache:note-diagnostic",
        "delai": 5,
        "unite": "jours_ouvres",
    }


def test_a_case_opened_from_the_form_is_exported_edited_and_reloaded(engine, tmp_path):
    day = date(2026, 11, 26)
    with transaction(engine) as session:
        open_from_form(form(), session=session, clock=FixedClock.on(day), actor="t")
    reference = form().reference
    with pytest.raises(MissingFacts):
        note(engine, tmp_path, reference, day)

    exported = export(engine, reference)
    assert load_text(engine, tmp_path, exported.text, day).status == "inchangé"
    edited = exported.text.replace(
        "\nperimetre:",
        "\ncontexte:\n  demande_initiale: Deux ACI veulent partager un encadrant.\nperimetre:",
    )
    assert load_text(engine, tmp_path, edited, day).status == "modifié"

    assert [g.kind for g in note(engine, tmp_path, reference, day)] == ["note_diagnostic"]
    assert yaml.safe_load(export(engine, reference).text) == yaml.safe_load(edited)
    assert_round_trip(engine, tmp_path, reference, day)


def note(engine, tmp_path, reference: str, day: date) -> list:
    with transaction(engine) as session:
        return generate(
            [reference],
            ["note_diagnostic"],
            ["html"],
            session=session,
            var_dir=tmp_path / "var",
            clock=FixedClock.on(day),
        )


def test_the_export_writes_only_what_the_template_does_not_say(engine, tmp_path):
    with transaction(engine) as session:
        open_from_form(form(), session=session, clock=FixedClock.on(date(2026, 11, 26)), actor="t")

    document = yaml.safe_load(export(engine, form().reference).text)

    assert document["modele"] == "poste_partage"
    assert "etapes" not in document and "suivis" not in document
    assert document["membres"] == [
        {"organisation": "aci-un", "role": "membre"},
        {"organisation": "aci-deux", "role": "porteur"},
    ]


def test_a_case_the_format_no_longer_accepts_is_exported_with_what_to_fix(engine, tmp_path):
    save_case(engine, tmp_path)
    with transaction(engine) as session:  # a decision by a structure that is not a member
        former = Organisation(key="ancienne", name="Ancienne SIAE", kind=OrganisationKind.siae)
        session.add(former)
        session.flush()
        session.add(
            Validation(
                case_id=1,
                stage_id=1,
                organisation_id=former.id,
                body=Body.conseil_administration,
                decision=Decision.validee,
                decided_on=date(2024, 1, 20),
                recorded_by="t",
                channel="fichier",
                recorded_at=datetime(2024, 1, 20, tzinfo=UTC),
            )
        )

    exported = export(engine)

    assert exported.source_hash is None
    assert exported.problems == [
        f"{REF}.yaml : etapes[0].decisions[0].structure : structure absente du cas : "
        "'ancienne' ; attendu parmi : aci-un, ai-deux, cabinet"
    ]
    assert "structure: ancienne" in exported.text
    with pytest.raises(CaseFileError):
        load_text(engine, tmp_path, exported.text, date(2024, 2, 1))


def test_an_unknown_case_exports_nothing(engine):
    assert export(engine, "DLA00-0000-00") is None
