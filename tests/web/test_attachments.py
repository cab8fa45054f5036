"""Attaching a document on the case page: the core's checks, errors by the field, downloads."""

import re

from sqlmodel import Session, select

from dla.uploads import Upload, upload_problems
from models import Attachment, Case, TimelineEvent
from tests.factories import document_bytes, snapshot
from tests.web.conftest import CHARGEE, MINE, OTHER, csrf_of


def form_of(client, reference: str = MINE) -> dict:
    text = client.get(f"/cas/{reference}").text
    revision = re.search(r'name="revision" value="(\d+)"', text).group(1)
    return {"csrf": csrf_of(text), "revision": revision}


def post(client, name: str, content: bytes, kind: str = "convention_signee", **fields):
    data = form_of(client) | {"type": kind, "titre": ""} | fields
    return client.post(
        f"/cas/{MINE}/pieces",
        data=data,
        files={"fichier": (name, content, "application/octet-stream")},
    )


def stored(desk) -> list:
    root = desk.var_dir / "pieces"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_document_attached_on_the_desk_is_listed_and_downloadable(desk):
    client = desk.client(CHARGEE)
    response = post(client, "Convention signée.pdf", document_bytes("pdf"), titre="Convention")
    assert response.status_code == 303
    assert response.headers["location"] == f"/cas/{MINE}#pieces"
    text = client.get(f"/cas/{MINE}").text
    assert "Convention</a>" in text and "convention signée" in text
    assert "Convention signée.pdf" in text and "(via bureau)" in text
    with Session(desk.engine) as session:
        row = session.exec(select(Attachment)).one()
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "document.attached")
        ).one()
    assert event.actor == "coordination" and event.data["channel"] == "bureau"
    download = client.get(f"/cas/{MINE}/pieces/{row.id}")
    assert download.status_code == 200 and download.content == document_bytes("pdf")
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]


def test_a_bad_file_is_refused_with_the_cores_words_next_to_the_field_and_values_kept(desk):
    client = desk.client(CHARGEE)
    before = snapshot(desk.engine)
    content = b"MZ\x90\x00 un programme"
    response = post(client, "rapport.pdf", content, "rapport_consultant", titre="Rapport <b>")
    assert response.status_code == 400
    problems, _ = upload_problems(
        Upload("rapport.pdf", content), kind="rapport_consultant", title=None, max_bytes=10**7
    )
    (problem,) = problems
    shown = problem.message.replace("'", "&#39;")
    assert f'<span class="erreur" id="erreur-piece-fichier">{shown}</span>' in response.text
    assert 'value="Rapport &lt;b&gt;"' in response.text
    assert '<option value="rapport_consultant" selected>' in response.text
    assert snapshot(desk.engine) == before and stored(desk) == []


def test_an_unknown_kind_is_refused_next_to_its_field(desk):
    response = post(desk.client(CHARGEE), "a.pdf", document_bytes("pdf"), "facture")
    assert response.status_code == 400
    assert 'id="erreur-piece-type">type de pièce inconnu' in response.text


def test_a_form_without_a_file_is_refused(desk):
    client = desk.client(CHARGEE)
    response = client.post(f"/cas/{MINE}/pieces", data=form_of(client) | {"type": "autre"})
    assert response.status_code == 400
    assert "aucun fichier choisi" in response.text


def test_a_form_made_before_another_change_is_refused_as_modified_meanwhile(desk):
    client = desk.client(CHARGEE)
    old = form_of(client)
    assert post(client, "a.pdf", document_bytes("pdf")).status_code == 303
    before = snapshot(desk.engine)
    response = client.post(
        f"/cas/{MINE}/pieces",
        data=old | {"type": "autre"},
        files={"fichier": ("b.png", document_bytes("png"), "image/png")},
    )
    assert response.status_code == 400 and "modifié entre-temps par coordination" in response.text
    assert snapshot(desk.engine) == before and len(stored(desk)) == 1


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(desk):
    desk.settings.max_attachment_bytes = 1000
    client = desk.client(CHARGEE)
    response = post(client, "gros.pdf", document_bytes("pdf") + b"0" * 200_000)
    assert response.status_code == 413 and "Fichier trop volumineux" in response.text
    assert stored(desk) == []


def test_another_persons_case_cannot_receive_nor_show_a_document(desk):
    client = desk.client(CHARGEE)
    token = form_of(client)
    before = snapshot(desk.engine)
    response = client.post(
        f"/cas/{OTHER}/pieces",
        data=token | {"type": "autre"},
        files={"fichier": ("a.pdf", document_bytes("pdf"), "application/pdf")},
    )
    assert response.status_code == 404 and snapshot(desk.engine) == before
    admin = desk.client("admin@example.org")
    form = form_of(admin, OTHER)
    admin.post(
        f"/cas/{OTHER}/pieces",
        data=form | {"type": "autre"},
        files={"fichier": ("a.pdf", document_bytes("pdf"), "application/pdf")},
    )
    with Session(desk.engine) as session:
        theirs = session.exec(select(Attachment)).one()
        assert session.get(Case, theirs.case_id).reference == OTHER
    assert client.get(f"/cas/{OTHER}/pieces/{theirs.id}").status_code == 404
    assert client.get(f"/cas/{MINE}/pieces/{theirs.id}").status_code == 404
    assert desk.client().get(f"/cas/{OTHER}/pieces/{theirs.id}").status_code == 303  # login
