"""A case's revision moves on with every change to what its reminder rules read, and only then."""

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from dla.db import transaction
from models import Case, CaseContact, Contact, Notification, Step, TimelineEvent
from models.enums import StepStatus
from tests.factories import case_data, save_case


def revisions(engine) -> dict[str, int]:
    with Session(engine) as session:
        return dict(session.exec(select(Case.reference, Case.revision)).all())


def saved(engine, tmp_path, reference="DLA99-2024-01", contact="presidence@aci-un.example.org"):
    data = case_data(reference=reference)
    for person in data["contacts"]:
        if person["email"] == "presidence@aci-un.example.org":
            person["email"] = contact
    save_case(engine, tmp_path, data)


def test_marking_a_step_done_moves_its_case_revision_on(engine, tmp_path):
    saved(engine, tmp_path)
    before = revisions(engine)["DLA99-2024-01"]
    with transaction(engine) as session:
        step = session.exec(select(Step)).first()
        step.status, step.done_on = StepStatus.faite, date(2024, 1, 10)
        session.add(step)
    assert revisions(engine)["DLA99-2024-01"] == before + 1


def test_a_change_to_a_shared_contact_moves_every_case_it_belongs_to(engine, tmp_path):
    saved(engine, tmp_path, "DLA99-2024-01")
    saved(engine, tmp_path, "DLA99-2024-02", contact="presidence@autre.example.org")
    before = revisions(engine)
    with transaction(engine) as session:
        contact = session.exec(
            select(Contact).where(Contact.email == "consultant@cabinet.example.org")
        ).one()
        contact.name = "Consultante du cabinet"
        session.add(contact)
    after = revisions(engine)
    assert {ref: after[ref] - before[ref] for ref in before} == {
        "DLA99-2024-01": 1,
        "DLA99-2024-02": 1,
    }


def test_a_digest_choice_in_one_case_moves_that_case_only(engine, tmp_path):
    saved(engine, tmp_path, "DLA99-2024-01")
    saved(engine, tmp_path, "DLA99-2024-02", contact="presidence@autre.example.org")
    before = revisions(engine)
    with transaction(engine) as session:
        part = session.exec(
            select(CaseContact)
            .join(Case, Case.id == CaseContact.case_id)
            .join(Contact, Contact.id == CaseContact.contact_id)
            .where(
                Case.reference == "DLA99-2024-02",
                Contact.email == "consultant@cabinet.example.org",
            )
        ).one()
        part.digest_only = True
        session.add(part)
    after = revisions(engine)
    assert {ref: after[ref] - before[ref] for ref in before} == {
        "DLA99-2024-01": 0,
        "DLA99-2024-02": 1,
    }


def test_writing_reminders_and_timeline_events_leaves_the_revision_alone(engine, tmp_path):
    saved(engine, tmp_path)
    before = revisions(engine)
    now = datetime(2024, 1, 11, 8, tzinfo=UTC)
    with transaction(engine) as session:
        case_id = session.exec(select(Case.id)).one()
        session.add(
            Notification(
                key="k", case_id=case_id, rule="suivi", recipient="a@b.example.org", due_at=now
            )
        )
        session.add(
            TimelineEvent(case_id=case_id, at=now, kind="note", actor="test", summary="s", key="k")
        )
    assert revisions(engine) == before


def test_an_object_read_but_not_changed_leaves_the_revision_alone(engine, tmp_path):
    saved(engine, tmp_path)
    before = revisions(engine)
    with transaction(engine) as session:
        step = session.exec(select(Step)).first()
        step.title = step.title  # set to the same value: dirty, but not modified
        session.add(step)
    assert revisions(engine) == before


def test_reloading_a_changed_case_file_moves_the_revision_on(engine, tmp_path):
    saved(engine, tmp_path)
    before = revisions(engine)["DLA99-2024-01"]
    data = case_data()
    data["etapes"][0]["taches"][0]["titre"] = "Titre changé"
    save_case(engine, tmp_path, data, day=date(2024, 1, 9))
    assert revisions(engine)["DLA99-2024-01"] > before
