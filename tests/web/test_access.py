"""Who sees what: each role's cases, and another person's case answers 404 everywhere."""

import pytest
from sqlmodel import Session

from dla.db import transaction
from dla.users import disable_user
from models import CaseAssignment
from tests.web.conftest import CHARGEE, MINE, OTHER, OTHER_COORDINATOR, PDF, csrf_of


def test_a_chargee_reads_her_case(desk):
    client = desk.client(CHARGEE)
    response = client.get(f"/cas/{MINE}")
    assert response.status_code == 200
    assert MINE in response.text


def test_a_chargee_gets_404_for_another_persons_case(desk):
    client = desk.client(CHARGEE)
    response = client.get(f"/cas/{OTHER}")
    assert response.status_code == 404
    assert "Fusion" not in response.text


def test_the_case_list_holds_only_the_persons_cases(desk):
    text = desk.client(CHARGEE).get("/cas").text
    assert MINE in text and OTHER not in text


@pytest.mark.parametrize(
    ("email", "sees", "hidden"),
    [
        ("region13@example.org", [OTHER], [MINE]),
        ("admin@example.org", [MINE, OTHER], []),
    ],
)
def test_coordination_sees_its_departements_and_admin_sees_all(desk, email, sees, hidden):
    client = desk.client(email)
    for reference in sees:
        assert client.get(f"/cas/{reference}").status_code == 200
    for reference in hidden:
        assert client.get(f"/cas/{reference}").status_code == 404
    listed = client.get("/cas").text
    assert all(r in listed for r in sees) and not any(r in listed for r in hidden)


def test_an_assigned_case_becomes_visible(desk):
    client = desk.client(CHARGEE)
    assert client.get(f"/cas/{OTHER}").status_code == 404
    with transaction(desk.engine) as session:
        from dla.users import find_user

        user = find_user(CHARGEE, session=session)
        session.add(CaseAssignment(user_id=user.id, case_id=desk.case_id(OTHER)))
    assert client.get(f"/cas/{OTHER}").status_code == 200


def test_a_chargee_cannot_download_another_persons_document(desk):
    theirs = desk.add_document(OTHER, "livrables/dla13-2024-02/note-v1.pdf", PDF)
    client = desk.client(CHARGEE)
    assert client.get(f"/cas/{OTHER}/documents/{theirs}").status_code == 404
    # Nor through her own case's address.
    assert client.get(f"/cas/{MINE}/documents/{theirs}").status_code == 404
    owner = desk.client("admin@example.org")
    assert owner.get(f"/cas/{OTHER}/documents/{theirs}").content == PDF


def feed_of(client) -> str:
    token = csrf_of(client.get("/calendrier").text)
    client.post("/calendrier/abonnement", data={"csrf": token, "action": "nouvelle"})
    page = client.get("/calendrier").text
    return page.split("/ics/", 1)[1].split("</code>", 1)[0]


def test_a_chargee_cannot_download_another_persons_case_file(desk):
    client = desk.client(CHARGEE)
    assert client.get(f"/cas/{OTHER}/dossier.yaml").status_code == 404
    assert client.get("/cas/DLA00-0000-00/dossier.yaml").status_code == 404
    owner = desk.client(OTHER_COORDINATOR).get(f"/cas/{OTHER}/dossier.yaml")
    assert f"reference: {OTHER}" in owner.text


def test_the_calendar_feed_holds_only_the_persons_cases(desk):
    client = desk.client(CHARGEE)
    path = f"/ics/{feed_of(client)}"
    anonymous = desk.client()
    body = anonymous.get(path)
    assert body.status_code == 200
    assert body.headers["content-type"].startswith("text/calendar")
    assert MINE in body.text and OTHER not in body.text


def test_a_replaced_or_revoked_feed_stops_answering(desk):
    client = desk.client(CHARGEE)
    first = feed_of(client)
    second = feed_of(client)
    anonymous = desk.client()
    assert anonymous.get(f"/ics/{first}").status_code == 404
    assert anonymous.get(f"/ics/{second}").status_code == 200
    token = csrf_of(client.get("/calendrier").text)
    client.post("/calendrier/abonnement", data={"csrf": token, "action": "revoquer"})
    assert anonymous.get(f"/ics/{second}").status_code == 404


def test_a_disabled_account_is_refused_at_once(desk):
    client = desk.client(CHARGEE)
    feed = feed_of(client)
    with transaction(desk.engine) as session:
        disable_user(CHARGEE, session=session)
    response = client.get(f"/cas/{MINE}")
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    assert desk.client().get(f"/ics/{feed}").status_code == 404
    from tests.web.conftest import login

    assert login(desk.client(), CHARGEE).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cas",
        f"/cas/{MINE}",
        f"/cas/{MINE}/dossier.yaml",
        "/calendrier",
        "/export/cas.csv",
        "/export/cas.xlsx",
    ],
)
def test_pages_ask_an_anonymous_visitor_to_log_in(desk, path):
    response = desk.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion?suite=")


def test_the_visibility_rule_filters_in_sql(desk):
    from sqlmodel import select

    from dla.access import visible_cases
    from dla.users import find_user
    from models import Case

    with Session(desk.engine) as session:
        user = find_user("region13@example.org", session=session)
        statement = select(Case.reference).where(visible_cases(user))
        assert "departement IN" in str(statement).replace('"', "")
        assert session.exec(statement).all() == [OTHER]


def test_only_an_admin_downloads_the_all_cases_synthesis(desk):
    from dla.deliverables.store import record_manifest

    folder = desk.var_dir / "livrables" / "synthese"
    folder.mkdir(parents=True)
    (folder / "synthese-v1.pdf").write_bytes(PDF)
    record_manifest(
        desk.var_dir,
        "synthese",
        {"pdf": [{"version": 1, "template_version": "t", "data_hash": "h",
                  "path": "livrables/synthese/synthese-v1.pdf"}]},
    )  # fmt: skip
    admin = desk.client("admin@example.org")
    assert "/syntheses/pdf/1" in admin.get("/cas").text
    assert admin.get("/syntheses/pdf/1").content == PDF
    for email in (CHARGEE, "region13@example.org"):
        client = desk.client(email)
        assert "/syntheses/" not in client.get("/cas").text
        assert client.get("/syntheses/pdf/1").status_code == 404
    assert admin.get("/syntheses/pdf/2").status_code == 404
