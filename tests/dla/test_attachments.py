"""Documents attached to a case: checked by content, stored under var/pieces, logged, once."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dla.actions.base import ActionRefused, Actor
from dla.attachments import attach_document, case_attachments
from dla.clock import FixedClock
from dla.db import transaction
from dla.settings import Settings
from dla.uploads import Upload
from models import Attachment, Case, TimelineEvent
from models.enums import AttachmentKind
from tests.factories import document_bytes, save_case, snapshot

REF = "DLA99-2024-01"
CLOCK = FixedClock.on(date(2024, 3, 1))
ACTOR = Actor("Camille Martin", "cli")


@pytest.fixture
def case(engine, tmp_path) -> Settings:
    save_case(engine, tmp_path)
    return Settings(var_dir=tmp_path / "var", max_attachment_bytes=50_000)


def attach(engine, settings, filename, content, kind="convention_signee", **options):
    with transaction(engine) as session:
        return attach_document(
            REF,
            Upload(filename, content),
            kind=kind,
            session=session,
            clock=CLOCK,
            actor=ACTOR,
            settings=settings,
            **options,
        )


def files(settings: Settings) -> list[Path]:
    root = settings.var_dir / "pieces"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refusal(engine, settings, *args, **options) -> list[tuple]:
    before, stored = snapshot(engine), files(settings)
    with pytest.raises(ActionRefused) as refused:
        attach(engine, settings, *args, **options)
    assert snapshot(engine) == before
    assert files(settings) == stored
    return [(p.field, p.message) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("kind", "filename", "media"),
    [
        ("pdf", "convention.pdf", "application/pdf"),
        ("docx", "rapport.docx", "application/vnd.openxmlformats-officedocument"),
        ("odt", "compte-rendu.odt", "application/vnd.oasis.opendocument.text"),
        ("xlsx", "budget.XLSX", "application/vnd.openxmlformats-officedocument"),
        ("png", "photo.png", "image/png"),
        ("jpeg", "scan.jpg", "image/jpeg"),
    ],
)
def test_each_accepted_type_is_stored_with_the_case(engine, case, kind, filename, media):
    content = document_bytes(kind)
    row, new = attach(engine, case, filename, content)
    assert new and row.filename == filename and row.media_type.startswith(media)
    assert row.size == len(content) and row.sha256 == hashlib.sha256(content).hexdigest()
    stored = case.var_dir / row.path
    assert stored.read_bytes() == content
    assert stored.parent == case.var_dir / "pieces" / REF.lower()
    assert stored.name == f"{row.id}-convention_signee.{kind}"


def test_the_attachment_is_on_the_timeline_with_who_and_channel_and_moves_the_revision(
    engine, case
):
    with Session(engine) as session:
        before = session.exec(select(Case.revision).where(Case.reference == REF)).one()
    row, _ = attach(engine, case, "pv.pdf", document_bytes("pdf"), "proces_verbal", title="PV")
    with Session(engine) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "document.attached")
        ).one()
        after = session.exec(select(Case.revision).where(Case.reference == REF)).one()
    assert event.actor == "Camille Martin" and event.data["channel"] == "cli"
    assert "procès-verbal « PV » (pv.pdf" in event.summary and "via cli" in event.summary
    assert event.data["attachment_id"] == row.id
    assert after == before + 1


def test_the_same_file_attached_again_as_the_same_kind_changes_nothing(engine, case):
    first, _ = attach(engine, case, "convention.pdf", document_bytes("pdf"))
    before = snapshot(engine)
    again, new = attach(engine, case, "autre-nom.pdf", document_bytes("pdf"))
    assert not new and again.id == first.id
    assert snapshot(engine) == before and len(files(case)) == 1


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(engine, case):
    problems = refusal(engine, case, "rapport.pdf", b"MZ\x90\x00 un programme")
    assert problems == [
        (
            "fichier",
            "fichier « rapport.pdf » : le contenu n'est pas celui d'un fichier PDF (signature "
            "non reconnue) ; attendu : un vrai fichier PDF, DOCX, ODT, XLSX, PNG ou JPEG",
        )
    ]


def test_a_zip_that_is_no_document_is_not_taken_for_a_docx(engine, case):
    assert refusal(engine, case, "rapport.docx", document_bytes("zip"))[0][0] == "fichier"


def test_a_pdf_named_as_an_image_is_refused(engine, case):
    assert "fichier PNG" in refusal(engine, case, "photo.png", document_bytes("pdf"))[0][1]


@pytest.mark.parametrize("filename", ["page.html", "outil.exe", "sans-extension", ".pdf"])
def test_a_type_not_accepted_is_refused_by_its_name(engine, case, filename):
    (field, message), *_ = refusal(engine, case, filename, document_bytes("pdf"))
    assert field == "fichier" and "type non accepté" in message
    assert message.endswith("attendu : PDF, DOCX, ODT, XLSX, PNG ou JPEG")


def test_a_file_over_the_size_setting_is_refused(engine, case):
    big = document_bytes("pdf") + b"0" * 60_000
    assert refusal(engine, case, "gros.pdf", big) == [
        ("fichier", "fichier « gros.pdf » : trop volumineux (60 Ko, au plus 50 Ko)")
    ]


def test_an_empty_file_and_a_missing_file_are_refused(engine, case):
    assert refusal(engine, case, "vide.pdf", b"") == [
        ("fichier", "fichier « vide.pdf » : fichier vide")
    ]
    assert refusal(engine, case, "", b"") == [
        ("fichier", "aucun fichier choisi ; attendu : un fichier à joindre")
    ]


def test_an_unknown_kind_is_refused_with_the_choices_in_french(engine, case):
    ((field, message),) = refusal(engine, case, "a.pdf", document_bytes("pdf"), kind="facture")
    assert field == "type" and "'facture'" in message
    assert "proces_verbal (procès-verbal)" in message


def test_a_title_with_a_control_character_or_too_long_is_refused(engine, case):
    pdf = document_bytes("pdf")
    assert refusal(engine, case, "a.pdf", pdf, title="PV\u202eexe")[0][0] == "titre"
    assert refusal(engine, case, "a.pdf", pdf, title="x" * 201)[0][0] == "titre"


def test_a_name_with_a_path_keeps_only_its_last_part_and_never_decides_where_it_goes(engine, case):
    row, _ = attach(engine, case, "..\\..\\../../etc/passwd.pdf", document_bytes("pdf"))
    assert row.filename == "passwd.pdf" and row.title == "passwd"
    assert files(case) == [
        case.var_dir / "pieces" / REF.lower() / f"{row.id}-convention_signee.pdf"
    ]


def test_an_unknown_case_or_stage_is_refused(engine, case):
    pdf = document_bytes("pdf")
    unknown = pytest.raises(ActionRefused, match="cas inconnu : 'DLA00-2024-09'")
    with unknown, transaction(engine) as session:
        attach_document(
            "DLA00-2024-09", Upload("a.pdf", pdf), kind="autre", session=session,
            clock=CLOCK, actor=ACTOR, settings=case,
        )  # fmt: skip
    assert refusal(engine, case, "a.pdf", pdf, stage="inconnue") == [
        ("étape", "étape inconnue : 'inconnue'")
    ]


def test_a_form_made_on_an_older_revision_is_refused(engine, case):
    with Session(engine) as session:
        revision = session.exec(select(Case.revision).where(Case.reference == REF)).one()
    attach(engine, case, "a.pdf", document_bytes("pdf"), revision=revision)
    ((field, message),) = refusal(engine, case, "b.png", document_bytes("png"), revision=revision)
    assert field is None and message.startswith("modifié entre-temps par Camille Martin")


def test_a_transaction_that_fails_after_the_file_was_written_leaves_no_file(engine, case):
    with pytest.raises(RuntimeError), transaction(engine) as session:
        attach_document(
            REF, Upload("a.pdf", document_bytes("pdf")), kind="autre", session=session,
            clock=CLOCK, actor=ACTOR, settings=case,
        )  # fmt: skip
        assert len(files(case)) == 1
        raise RuntimeError("panne après l'écriture")
    assert files(case) == []
    with Session(engine) as session:
        assert session.exec(select(Attachment)).all() == []


def test_the_case_lists_its_attachments_newest_first(engine, case):
    attach(engine, case, "a.pdf", document_bytes("pdf"))
    attach(engine, case, "b.png", document_bytes("png"), kind="autre")
    with Session(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == REF)).one()
        rows = case_attachments(case_id, session=session)
    assert [r.kind for r in rows] == [AttachmentKind.autre, AttachmentKind.convention_signee]
