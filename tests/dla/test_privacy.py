"""Personal data: export what is held about a person, erase it behind a pseudonym."""

import zipfile
from datetime import date

import pytest
from sqlalchemy import String, cast, select
from sqlmodel import Session, SQLModel

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.deliverables import generate
from dla.mail.eml import OutboxTransport
from dla.outbox.days import remind
from dla.outbox.sending import mail_renderer
from dla.privacy import PrivacyRefused, export_contact, forget_contact
from dla.settings import Settings
from models import Notification, Step, TimelineEvent
from models.enums import NotificationStatus
from tests.dla.outbox.conftest import COORDINATION, REF, open_stages, outbox_case
from tests.factories import snapshot, write_case

DIRECTOR, DIRECTOR_NAME = "direction@aci-un.example.org", "Direction ACI Un"
COORDINATOR_NAME = "Élise Coordinatrice"


@pytest.fixture
def renderer_for(tmp_path, mail_templates):
    settings = Settings(var_dir=tmp_path / "var")
    return lambda clock: mail_renderer(settings, clock, renderer=mail_templates)


@pytest.fixture
def world(engine, tmp_path, renderer_for):
    """The outbox case in the cases folder, its diagnostic open, a week of reminders sent."""
    data = outbox_case()
    data["contexte"] = {"demande_initiale": "Partager un poste de chargé de relations"}
    data["contacts"][0]["nom"] = COORDINATOR_NAME
    cases = tmp_path / "var" / "cas"
    cases.mkdir(parents=True)
    path = write_case(cases, data)
    with transaction(engine) as session:
        save_plan(
            load_case_file(path),
            session=session,
            clock=FixedClock.on(date(2024, 1, 5)),
            actor="test",
            reason="test",
        )
    open_stages(engine, date(2024, 1, 8))
    outbox = tmp_path / "var" / "outbox"
    for day in (date(2024, 1, 15), date(2024, 1, 23)):
        clock = FixedClock.on(day)
        remind(
            engine=engine,
            transport=OutboxTransport(outbox),
            renderer=renderer_for(clock),
            clock=clock,
        )
    return {"cases": cases, "outbox": outbox, "var": tmp_path / "var", "file": path}


def forget(engine, world, email=DIRECTOR, day=date(2024, 1, 24)):
    with transaction(engine) as session:
        return forget_contact(
            email,
            session=session,
            clock=FixedClock.on(day),
            cases_dir=world["cases"],
            outbox_dir=world["outbox"],
        )


def texts(engine) -> str:
    """Every text and JSON column of every table, as one lower-case string."""
    out = []
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [cast(c, String) for c in table.columns]
            for row in session.execute(select(*columns)):
                out += [str(v) for v in row if v is not None]
    return "\n".join(out).lower()


def test_export_gives_the_contact_its_cases_and_the_messages_sent_to_it(engine, world):
    with Session(engine) as session:
        held = export_contact(DIRECTOR.upper(), session=session, cases_dir=world["cases"])
    assert held["donnees_conservees"] is True
    assert held["contact"]["nom"] == DIRECTOR_NAME
    assert [c["reference"] for c in held["cas"]] == [REF]
    assert held["relances"] and {r["destinataire"] for r in held["relances"]} == {DIRECTOR}
    assert any(DIRECTOR in e["resume"] for e in held["journal"])
    assert held["fichiers_de_cas"] == [str(world["file"])]


def test_export_never_shows_messages_to_other_people(engine, world):
    with Session(engine) as session:
        held = export_contact(COORDINATION, session=session)
    assert held["relances"]
    assert {r["destinataire"] for r in held["relances"]} == {COORDINATION}


def test_export_of_an_unknown_address_finds_nothing(engine, world):
    with Session(engine) as session:
        held = export_contact("personne@nulle-part.example.org", session=session)
    assert held["donnees_conservees"] is False
    assert held["relances"] == held["journal"] == held["cas"] == []


def test_a_malformed_address_is_refused_in_french(engine):
    with Session(engine) as session, pytest.raises(PrivacyRefused, match="adresse électronique"):
        export_contact("pas-une-adresse", session=session)


def test_forget_leaves_neither_the_address_nor_the_name_in_the_database(engine, world):
    assert DIRECTOR in texts(engine)
    report = forget(engine, world)
    assert report.changed > 0 and report.pseudonym.startswith("personne-")
    everything = texts(engine)
    assert DIRECTOR not in everything and DIRECTOR_NAME.lower() not in everything
    assert report.pseudonym in everything


def test_forget_a_coordinator_erases_their_address_in_messages_to_others(engine, world):
    forget(engine, world, COORDINATION)
    everything = texts(engine)
    assert COORDINATION not in everything and COORDINATOR_NAME.lower() not in everything
    assert DIRECTOR in everything  # other people stay as they were


def test_forget_cancels_pending_messages_and_keeps_sent_ones_under_the_pseudonym(engine, world):
    with Session(engine) as session:
        before = {n.status for n in session.exec(select(Notification)).scalars()}
    assert NotificationStatus.sent in before
    report = forget(engine, world)
    alias = f"{report.pseudonym}@efface.example"
    with Session(engine) as session:
        rows = list(
            session.exec(select(Notification).where(Notification.recipient == alias)).scalars()
        )
    assert {r.status for r in rows} <= {NotificationStatus.sent, NotificationStatus.cancelled}
    assert any(r.status is NotificationStatus.sent for r in rows)
    assert report.cancelled == sum(1 for r in rows if "effacé" in (r.last_error or ""))
    assert all(alias in r.key for r in rows)


def test_forget_records_one_event_per_case_without_the_address(engine, world):
    report = forget(engine, world)
    with Session(engine) as session:
        events = list(
            session.exec(
                select(TimelineEvent).where(TimelineEvent.kind == "contact.erased")
            ).scalars()
        )
    assert len(events) == 1
    assert report.pseudonym in events[0].summary and DIRECTOR not in events[0].summary


def test_forgetting_twice_changes_nothing_the_second_time(engine, world):
    forget(engine, world)
    before = texts(engine)
    again = forget(engine, world)
    assert again.changed == 0 and again.pseudonym is None
    assert texts(engine) == before


def test_an_erased_person_receives_no_further_reminder(engine, world, renderer_for):
    report = forget(engine, world, COORDINATION)
    clock = FixedClock.on(date(2024, 1, 29))
    remind(
        engine=engine,
        transport=OutboxTransport(world["outbox"]),
        renderer=renderer_for(clock),
        clock=clock,
    )
    with Session(engine) as session:
        later = list(
            session.exec(
                select(Notification).where(
                    Notification.due_at >= clock.now().replace(hour=0),
                    Notification.recipient.like(f"{report.pseudonym}%"),
                )
            ).scalars()
        )
    assert later == []
    assert COORDINATION not in texts(engine)


def test_forget_rewrites_the_case_file_and_reloading_it_changes_nothing(engine, world):
    report = forget(engine, world)
    text = world["file"].read_text(encoding="utf-8")
    assert DIRECTOR not in text and DIRECTOR_NAME not in text and report.pseudonym in text
    assert report.files == [str(world["file"])]
    with transaction(engine) as session:
        outcome = save_plan(
            load_case_file(world["file"]),
            session=session,
            clock=FixedClock.on(date(2024, 1, 25)),
            actor="test",
            reason="rechargement",
        )
    assert outcome.status == "inchangé"


def test_forget_names_a_case_file_outside_the_cases_folder_that_keeps_the_address(
    engine, world, tmp_path
):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    changed = world["file"].read_text(encoding="utf-8").replace("Poste partagé", "Poste commun")
    moved = elsewhere / world["file"].name
    moved.write_text(changed, encoding="utf-8")
    world["file"].unlink()
    with transaction(engine) as session:
        save_plan(
            load_case_file(moved),
            session=session,
            clock=FixedClock.on(date(2024, 1, 24)),
            actor="test",
            reason="déplacé",
        )
    report = forget(engine, world)
    assert report.left == [str(moved)] and DIRECTOR in moved.read_text(encoding="utf-8")


def test_forget_deletes_the_eml_copies_sent_to_the_person_and_rewrites_the_others(engine, world):
    def naming(email):
        return [p for p in world["outbox"].glob("*.eml") if email in p.read_bytes().decode()]

    assert naming(DIRECTOR) and naming(COORDINATION)
    count = len(list(world["outbox"].glob("*.eml")))
    mine = len([p for p in world["outbox"].glob("*.eml") if "direction_aci-un" in p.name])
    forget(engine, world, COORDINATION)
    assert naming(COORDINATION) == []
    assert len(list(world["outbox"].glob("*.eml"))) < count
    assert len([p for p in world["outbox"].glob("*.eml") if "direction_aci-un" in p.name]) == mine


def test_deliverables_rendered_after_forget_no_longer_show_the_person(engine, world):
    day = FixedClock.on(date(2024, 1, 24))
    with transaction(engine) as session:
        (first,) = generate(
            [REF], ["note_diagnostic"], ["html"], session=session, var_dir=world["var"], clock=day
        )
    assert COORDINATION in first.path.read_text(encoding="utf-8")
    report = forget(engine, world, COORDINATION)
    with transaction(engine) as session:
        (after,) = generate(
            [REF], ["note_diagnostic"], ["html"], session=session, var_dir=world["var"], clock=day
        )
    html = after.path.read_text(encoding="utf-8")
    assert after.version == first.version + 1
    assert COORDINATION not in html and COORDINATOR_NAME not in html
    assert report.pseudonym in html


def test_export_lists_the_deliverable_versions_that_show_the_person(engine, world):
    day = FixedClock.on(date(2024, 1, 24))
    with transaction(engine) as session:
        generate(
            [REF],
            ["note_diagnostic"],
            ["html", "docx"],
            session=session,
            var_dir=world["var"],
            clock=day,
        )
    with Session(engine) as session:
        held = export_contact(COORDINATION, session=session, var_dir=world["var"])
        other = export_contact(DIRECTOR, session=session, var_dir=world["var"])
    assert {(d["document"], d["format"]) for d in held["livrables"]} == {
        ("note_diagnostic", "html"),
        ("note_diagnostic", "docx"),
    }
    assert other["livrables"] == []


# --- Issue 15: the address typed in free text (a task's title) is forgotten too ------------------


def reload(engine, path, day=date(2024, 1, 25)):
    with transaction(engine) as session:
        return save_plan(
            load_case_file(path),
            session=session,
            clock=FixedClock.on(day),
            actor="test",
            reason="rechargement",
        )


@pytest.fixture
def titled(engine, world, tmp_path):
    """The world's case file with the director's address in a task title, reloaded; a copy
    of it kept outside the cases folder."""
    text = world["file"].read_text(encoding="utf-8")
    text = text.replace("Note de diagnostic remise", f"Note de diagnostic remise à {DIRECTOR}")
    world["file"].write_text(text, encoding="utf-8")
    assert reload(engine, world["file"], date(2024, 1, 24)).status == "modifié"
    copy = tmp_path / "copie" / world["file"].name
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    return copy


def test_forget_scrubs_the_address_from_task_titles_and_the_deliverables_made_later(
    engine, world, titled
):
    assert DIRECTOR in texts(engine)
    report = forget(engine, world)
    assert DIRECTOR not in texts(engine)
    with transaction(engine) as session:
        (plan,) = generate(
            [REF],
            ["plan_accompagnement"],
            ["html"],
            session=session,
            var_dir=world["var"],
            clock=FixedClock.on(date(2024, 1, 25)),
        )
    html = plan.path.read_text(encoding="utf-8")
    assert DIRECTOR not in html and f"Note de diagnostic remise à {report.pseudonym}" in html


def test_reloading_the_rewritten_case_file_after_forget_finds_the_database_in_step(
    engine, world, titled
):
    forget(engine, world)
    with Session(engine) as session:
        before = session.exec(select(Step.title).order_by(Step.key)).all()

    assert reload(engine, world["file"]).status == "inchangé"
    assert DIRECTOR not in texts(engine)
    with Session(engine) as session:
        assert session.exec(select(Step.title).order_by(Step.key)).all() == before


def test_a_case_file_that_brings_a_forgotten_address_back_is_refused(engine, world, titled):
    forget(engine, world)
    before = snapshot(engine)
    changed = titled.read_text(encoding="utf-8").replace("Poste partagé", "Poste commun")
    titled.write_text(changed, encoding="utf-8")

    with pytest.raises(CaseFileError) as refused:
        reload(engine, titled)

    assert "adresse d'une personne effacée à sa demande" in str(refused.value)
    assert "contacts[" in str(refused.value) and "etapes[0].taches[0].titre" in str(refused.value)
    assert snapshot(engine) == before and DIRECTOR not in texts(engine)


@pytest.mark.pdf  # prints the PDF it then deletes
def test_forget_rewrites_the_deliverables_already_made_and_deletes_their_pdf(engine, world):
    day = FixedClock.on(date(2024, 1, 24))
    with transaction(engine) as session:
        made = generate(
            [REF],
            ["note_diagnostic"],
            ["html", "docx", "pdf"],
            session=session,
            var_dir=world["var"],
            clock=day,
        )
    files = {d.fmt: d.path for d in made}
    assert COORDINATION in files["html"].read_text(encoding="utf-8")

    with transaction(engine) as session:
        report = forget_contact(COORDINATION, session=session, clock=day, var_dir=world["var"])

    html = files["html"].read_text(encoding="utf-8")
    assert COORDINATION not in html and COORDINATOR_NAME not in html and report.pseudonym in html
    with zipfile.ZipFile(files["docx"]) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert COORDINATION not in xml and report.pseudonym in xml
    assert not files["pdf"].exists()
    assert report.removed == [str(files["pdf"].relative_to(world["var"]))]


def test_forget_scrubs_the_signed_links_and_what_the_person_entered_through_them(
    engine, world, renderer_for
):
    from dla.boardanswer import BoardAnswer, answer_link
    from dla.boardlinks import derive_token
    from dla.boardsigner import Signer
    from dla.uploads import Upload
    from models import BoardLink
    from tests.factories import document_bytes

    secret, monday = "s" * 40, date(2024, 1, 29)
    clock = FixedClock.on(monday)
    remind(
        engine=engine,
        transport=OutboxTransport(world["outbox"]),
        renderer=renderer_for(clock),
        clock=clock,
        signer=Signer(secret, 15, "https://bureau.example.org"),
    )
    with Session(engine) as session:
        links = session.scalars(select(BoardLink).where(BoardLink.recipient == DIRECTOR)).all()
    assert len(links) == 1
    with transaction(engine) as session:
        answer_link(
            derive_token(secret, links[0].nonce),
            BoardAnswer("26/01/2024", "validee", "", f"Vu par {DIRECTOR_NAME}", DIRECTOR_NAME),
            session=session,
            clock=clock,
            secret=secret,
            settings=Settings(var_dir=world["var"]),
            minutes=Upload("pv.pdf", document_bytes("pdf")),
        )
    assert DIRECTOR_NAME.lower() in texts(engine)
    with Session(engine) as session:
        (held,) = export_contact(DIRECTOR, session=session)["liens_de_decision"]
    assert held["cas"] == REF and held["utilise_le"] and held["nom"] == DIRECTOR_NAME
    forget(engine, world, day=monday)
    everything = texts(engine)
    assert DIRECTOR not in everything and DIRECTOR_NAME.lower() not in everything


def test_export_gives_the_phone_and_forget_erases_it(engine, world):
    from models import Contact

    with transaction(engine) as session:
        person = session.exec(select(Contact).where(Contact.email == DIRECTOR)).scalar_one()
        person.phone = "04 76 99 88 77"
        session.add(person)
    with Session(engine) as session:
        assert export_contact(DIRECTOR, session=session)["contact"]["telephone"] == (
            "04 76 99 88 77"
        )
    forget(engine, world)
    assert "04 76 99 88 77" not in texts(engine)
