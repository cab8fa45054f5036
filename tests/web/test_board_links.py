"""Boards answer by signed link: the reminder carries it, the page shows what is asked, the
decision is recorded « par lien » once; a used, expired, altered or revoked link writes nothing."""

import email
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from email import policy

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from dla import lifecycle
from dla.boardsigner import Signer
from dla.clock import FixedClock
from dla.db import transaction
from dla.mail.eml import OutboxTransport
from dla.outbox.days import remind
from dla.outbox.sending import mail_renderer
from dla.settings import Settings
from dla.users import add_user
from models import Attachment, BoardLink, Case, Stage, TimelineEvent, UserRole, Validation
from models.enums import StageStatus
from tests.dla.outbox.conftest import outbox_case
from tests.factories import document_bytes, save_case, snapshot
from tests.web.conftest import CHARGEE, PASSWORD, csrf_of, login
from web.app import create_app
from web.boardpage import link_csrf

REF, OTHER_REF = "DLA99-2024-01", "DLA99-2024-02"
MONDAY = date(2024, 1, 29)  # the diagnostic ended on Friday 26 with no decision
SECRET, PUBLIC = "s" * 40, "https://bureau.example.org"
ACI, AI = "presidence@aci-un.example.org", "presidence@ai-deux.example.org"
LINK = re.compile(re.escape(PUBLIC) + r"/lien/([A-Za-z0-9_-]{43})")


def board_case(reference: str = REF) -> dict:
    """The outbox case, its boards' presidents named (the name the decision is entered under)."""
    data = outbox_case()
    data["reference"] = reference
    names = {ACI: "Marie Durand", AI: "Paul Martin"}
    for contact in data["contacts"]:
        if contact["email"] in names:
            contact["nom"] = names[contact["email"]]
    return data


@dataclass
class Board:
    engine: object
    settings: Settings

    def client(self, day: date = MONDAY) -> TestClient:
        settings = self.settings.model_copy(update={"desk_today": day})
        app = create_app(settings, self.engine)
        # The public address is https: the desk's session cookie is then sent over https only.
        return TestClient(app, base_url="https://testserver", follow_redirects=False)

    def messages(self, reference: str = REF) -> dict[str, email.message.EmailMessage]:
        """Return the awaited-validation messages of the outbox, by recipient."""
        found = {}
        for path in sorted((self.settings.var_dir / "outbox").glob("validation_attendue*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            text = message.get_body(("plain",)).get_content()
            if f"accompagnement {reference})" in text:
                found[message["To"].addresses[0].addr_spec] = message
        return found

    def token(self, recipient: str = ACI, reference: str = REF) -> str:
        text = self.messages(reference)[recipient].get_body(("plain",)).get_content()
        return LINK.search(text).group(1)

    def send(self, day: date = MONDAY) -> None:
        clock = FixedClock.on(day)
        remind(
            engine=self.engine,
            transport=OutboxTransport(self.settings.var_dir / "outbox"),
            renderer=mail_renderer(self.settings, clock),
            clock=clock,
            digests=False,
            signer=Signer.from_settings(self.settings),
        )


def open_diagnostic(engine, reference: str) -> None:
    with transaction(engine) as session:
        lifecycle.open_stage(
            reference, "diagnostic", session=session, clock=FixedClock.on(date(2024, 1, 8))
        )


@pytest.fixture
def board(engine, database_url, tmp_path) -> Board:
    save_case(engine, tmp_path, board_case())
    open_diagnostic(engine, REF)
    with transaction(engine) as session:
        add_user(
            session=session, clock=FixedClock.on(MONDAY), email=CHARGEE, name="Camille",
            role=UserRole.charge_mission, password=PASSWORD,
        )  # fmt: skip
    settings = Settings(
        var_dir=tmp_path / "var", database_url=database_url, desk_today=MONDAY,
        secret_key=SECRET, public_url=PUBLIC,
    )  # fmt: skip
    result = Board(engine, settings)
    result.send()
    return result


def answer(client: TestClient, token: str, files: dict | None = None, **fields):
    data = {
        "csrf": link_csrf(SECRET, token), "date": "26/01/2024",
        "decision": "validee_avec_reserves", "commentaire": "Budget du poste à revoir",
        "signataire": "Marie Durand, présidente",
    } | fields  # fmt: skip
    return client.post(f"/lien/{token}", data=data, files=files or {})


def decisions(engine) -> list[Validation]:
    with Session(engine) as session:
        return list(session.exec(select(Validation).order_by(Validation.id)))


def test_the_validation_reminder_carries_the_boards_signed_link_not_prefect(board):
    message = board.messages()[ACI]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    token = LINK.search(text).group(1)
    assert f'href="{PUBLIC}/lien/{token}"' in html and "/runs/" not in text
    assert "il sert une seule fois et reste valable jusqu'au" in text
    with Session(board.engine) as session:
        links = session.exec(select(BoardLink)).all()
        stored = session.exec(
            select(BoardLink).where(
                BoardLink.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
        ).one()
    assert stored.recipient == ACI and stored.recipient_name == "Marie Durand"
    assert all(token not in str(link.model_dump()) for link in links)  # only its hash is kept
    # Each representative gets a link of their own.
    assert board.token(AI) != token and len(links) == len(board.messages())


def test_a_reminder_sent_again_carries_the_same_link(board):
    from types import SimpleNamespace

    from sqlmodel import select as select_

    from models import Notification

    with Session(board.engine) as session:
        rows = [
            SimpleNamespace(
                key=n.key, rule=n.rule, case_id=n.case_id, recipient=n.recipient, payload=n.payload
            )
            for n in session.exec(select_(Notification).where(Notification.recipient == ACI))
            if n.rule == "validation_attendue"
        ]
    again = Signer.from_settings(board.settings)(board.engine, rows, FixedClock.on(MONDAY).now())
    assert [issued.url for issued in again.values()] == [f"{PUBLIC}/lien/{board.token(ACI)}"]


def test_the_page_shows_what_the_board_is_asked_to_decide_without_a_session(board):
    response = board.client().get(f"/lien/{board.token()}")
    assert response.status_code == 200
    text = response.text
    for expected in ("Décision attendue : Diagnostic partagé", "ACI Un", "conseil d&#39;administration",
                     "Note de diagnostic remise", "validée avec réserves", "JJ/MM/AAAA",
                     'name="signataire"', 'type="file"'):  # fmt: skip
        assert expected in text, expected
    assert "set-cookie" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_deliverable_to_read_downloads_through_the_link(board):
    relative = "livrables/dla99-2024-01/note_diagnostic-v1.pdf"
    (board.settings.var_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (board.settings.var_dir / relative).write_bytes(document_bytes("pdf"))
    with transaction(board.engine) as session:
        from models import Deliverable

        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        doc = Deliverable(
            case_id=stage.case_id, stage_id=stage.id, kind="note_diagnostic", fmt="pdf",
            version=1, template_version="t", data_hash="h", path=relative,
            created_at=FixedClock.on(MONDAY).now(),
        )  # fmt: skip
        session.add(doc)
        session.flush()
        doc_id = doc.id
    client, token = board.client(), board.token()
    assert f"/lien/{token}/documents/{doc_id}" in client.get(f"/lien/{token}").text
    download = client.get(f"/lien/{token}/documents/{doc_id}")
    assert download.status_code == 200 and download.content == document_bytes("pdf")
    assert client.get(f"/lien/{token}/documents/{doc_id + 1}").status_code == 404


def test_a_decision_by_link_is_recorded_par_lien_and_the_gate_passes_with_the_last_board(board):
    client = board.client()
    minutes = {"pv": ("pv-ca.pdf", document_bytes("pdf"), "application/pdf")}
    response = answer(client, board.token(ACI), minutes)
    assert response.status_code == 200, response.text
    assert "Décision enregistrée" in response.text
    (first,) = decisions(board.engine)
    assert first.channel == "lien" and first.recorded_by == "Marie Durand"
    assert first.decision.value == "validee_avec_reserves"
    assert first.comment == "Budget du poste à revoir — signé par Marie Durand, présidente"
    with Session(board.engine) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "validation.recorded")
        ).one()
        pv = session.exec(select(Attachment)).one()
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
    assert event.actor == "Marie Durand" and "saisi par lien" in event.summary
    assert pv.kind.value == "proces_verbal" and pv.channel == "lien" and pv.stage_id == stage.id
    assert stage.status is not StageStatus.close  # AI Deux has not answered yet
    assert answer(client, board.token(AI), signataire="Paul Martin").status_code == 200
    with Session(board.engine) as session:
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        closed = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "stage.closed")
        ).all()
    assert stage.status is StageStatus.close and closed


def test_the_boards_other_representative_link_stops_once_it_has_answered(board):
    answer(board.client(), board.token(ACI))
    other = board.client().get(f"/lien/{board.token('direction@aci-un.example.org')}")
    assert other.status_code == 410 and "décision déjà saisie par lien" in other.text


def refused_without_writing(board, client, token, status, words, **fields):
    before, files = snapshot(board.engine), sorted(board.settings.var_dir.rglob("pieces/**/*"))
    shown = client.get(f"/lien/{token}")
    assert shown.status_code == status and words in shown.text
    sent = answer(client, token, {"pv": ("pv.pdf", document_bytes("pdf"), "application/pdf")})
    assert sent.status_code == status and words in sent.text
    assert "Aucune information n'a été enregistrée" in sent.text
    assert snapshot(board.engine) == before
    assert sorted(board.settings.var_dir.rglob("pieces/**/*")) == files


def test_a_reused_link_is_refused_and_writes_nothing(board):
    client, token = board.client(), board.token()
    assert answer(client, token).status_code == 200
    refused_without_writing(board, client, token, 410, "Ce lien a déjà servi")


def test_an_expired_link_is_refused_and_writes_nothing(board):
    with Session(board.engine) as session:
        expires = session.exec(select(BoardLink.expires_on)).first()
    late = board.client(date.fromordinal(expires.toordinal() + 1))
    refused_without_writing(board, late, board.token(), 410, "Ce lien a expiré")
    assert board.client(expires).get(f"/lien/{board.token()}").status_code == 200


def test_an_altered_link_is_refused_and_writes_nothing(board):
    token = board.token()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused_without_writing(board, board.client(), altered, 404, "n&#39;est pas valable")
    refused_without_writing(board, board.client(), token[:20], 404, "n&#39;est pas valable")


def test_a_link_revoked_by_the_coordinator_on_the_desk_is_refused_and_writes_nothing(board):
    coordinator = board.client()
    assert login(coordinator, CHARGEE).status_code == 303
    page = coordinator.get(f"/cas/{REF}").text
    with Session(board.engine) as session:
        link = session.exec(select(BoardLink).where(BoardLink.recipient == ACI)).one()
    assert "Liens de décision envoyés aux instances" in page and "valable jusqu&#39;au" in page
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = coordinator.post(
        f"/cas/{REF}/liens/{link.id}/revoquer", data={"csrf": csrf_of(page), "revision": revision}
    )
    assert response.status_code == 303
    assert "révoqué par Camille" in coordinator.get(f"/cas/{REF}").text
    refused_without_writing(board, board.client(), board.token(), 410, "désactivé")


def test_a_bad_form_is_refused_next_to_its_fields_and_the_link_still_works(board):
    client, token = board.client(), board.token()
    before = snapshot(board.engine)
    response = answer(
        client, token, {"pv": ("pv.docx", document_bytes("docx"), "application/octet-stream")},
        date="31/02/2024", decision="reportee", signataire="", commentaire="<b>à revoir</b>",
    )  # fmt: skip
    assert response.status_code == 400
    text = response.text
    assert 'id="erreur-date">date de la décision invalide : &#39;31/02/2024&#39;' in text
    assert 'id="erreur-report_au">une décision reportée demande la nouvelle date' in text
    assert 'id="erreur-signataire">indiquez qui a signé' in text
    assert 'id="erreur-pv">fichier « pv.docx » : type non accepté (.docx) ; attendu : PDF' in text
    assert "&lt;b&gt;à revoir&lt;/b&gt;</textarea>" in text and 'value="31/02/2024"' in text
    assert snapshot(board.engine) == before
    assert answer(client, token).status_code == 200  # unused: it works once corrected


def test_a_decision_the_core_refuses_is_shown_by_its_field_and_writes_nothing(board):
    before = snapshot(board.engine)
    response = answer(board.client(), board.token(), date="05/01/2024")
    assert response.status_code == 400
    assert (
        'id="erreur-date">date de décision 2024-01-05 antérieure à l&#39;ouverture' in response.text
    )
    assert snapshot(board.engine) == before


def test_a_form_without_the_links_own_token_is_refused(board):
    client, token = board.client(), board.token()
    before = snapshot(board.engine)
    for csrf in ("", "faux", link_csrf(SECRET, board.token(AI))):
        assert answer(client, token, csrf=csrf).status_code == 403
    assert snapshot(board.engine) == before


def test_another_cases_link_writes_only_its_own_case(board, tmp_path):
    save_case(board.engine, tmp_path, board_case(OTHER_REF))
    open_diagnostic(board.engine, OTHER_REF)
    board.send()
    theirs = board.token(ACI, OTHER_REF)
    assert theirs != board.token(ACI, REF)
    response = answer(
        board.client(), theirs, reference=REF, stage="diagnostic", structure="ai-deux"
    )
    assert response.status_code == 200
    with Session(board.engine) as session:
        (decision,) = session.exec(select(Validation)).all()
        assert session.get(Case, decision.case_id).reference == OTHER_REF
        mine = session.exec(select(Case).where(Case.reference == REF)).one()
        assert not session.exec(select(Validation).where(Validation.case_id == mine.id)).all()
    # Its use did not spend this case's link of the same person.
    assert board.client().get(f"/lien/{board.token(ACI, REF)}").status_code == 200


def test_the_revoke_command_stops_a_link(board, monkeypatch):
    from typer.testing import CliRunner

    from dla.cli import app
    from dla.settings import get_settings

    monkeypatch.setenv("DLA_DATABASE_URL", board.settings.database_url)
    monkeypatch.setenv("DLA_VAR_DIR", str(board.settings.var_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner(env={"COLUMNS": "250"})
        listed = runner.invoke(app, ["link", "list", REF, "--today", "2024-01-29"])
        assert listed.exit_code == 0 and "Marie" not in listed.output
        with Session(board.engine) as session:
            link = session.exec(select(BoardLink).where(BoardLink.recipient == ACI)).one()
        done = runner.invoke(app, ["link", "revoke", REF, str(link.id), "--by", "Camille"])
        assert done.exit_code == 0 and "révoqué" in done.output
        again = runner.invoke(app, ["link", "revoke", REF, str(link.id)])
        assert again.exit_code == 2 and "déjà désactivé" in again.output
        unknown = runner.invoke(app, ["link", "revoke", REF, "9999"])
        assert unknown.exit_code == 2 and "lien inconnu pour ce cas" in unknown.output
    finally:
        get_settings.cache_clear()
    assert board.client().get(f"/lien/{board.token()}").status_code == 410


def test_a_token_that_is_a_path_or_too_long_is_just_an_invalid_link(board):
    client = board.client()
    assert client.get("/lien/..%2F..%2Fetc%2Fpasswd").status_code == 404
    response = client.get(f"/lien/{'A' * 5000}")
    assert response.status_code == 404 and "n&#39;est pas valable" in response.text
