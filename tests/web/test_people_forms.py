"""The member and contact forms of the case page: CSRF, revision, shared data, errors in place."""

import re

from markupsafe import escape
from sqlmodel import Session, select

from models import Case, CaseContact, CaseMember, Contact, Organisation, TimelineEvent
from models.enums import ContactRole, MemberRole
from tests.factories import all_rows
from tests.web.conftest import CHARGEE, MINE, OTHER, OTHER_COORDINATOR, csrf_of

MEMBERS = f"/cas/{MINE}/membres"
CONTACTS = f"/cas/{MINE}/contacts"
PRESIDENT = "presidence@aci-un.example.org"


def form_of(client) -> dict:
    html = client.get(f"/cas/{MINE}").text
    return {"csrf": csrf_of(html), "revision": re.search(r'name="revision" value="(\d+)"', html)[1]}


def member_role(desk, key: str, reference=MINE) -> MemberRole | None:
    with Session(desk.engine) as session:
        return session.exec(
            select(CaseMember.role)
            .join(Organisation, Organisation.id == CaseMember.organisation_id)
            .join(Case, Case.id == CaseMember.case_id)
            .where(Organisation.key == key, Case.reference == reference)
        ).first()


def test_a_structure_joins_the_case_from_its_page(desk):
    client = desk.client(CHARGEE)
    data = {"organisation": "aci-trois", "role": "membre", "nom": "ACI Trois", "type": "siae"}
    response = client.post(MEMBERS, data=form_of(client) | data | {"siae": "ACI"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/cas/{MINE}#membres"
    assert member_role(desk, "aci-trois") is MemberRole.membre
    with Session(desk.engine) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "member.set")).one()
    assert (event.actor, event.data["channel"]) == ("coordination", "bureau")
    page = client.get(f"/cas/{MINE}").text
    assert "« ACI Trois » (SIAE, ACI) rejoint le cas : structure membre" in page


def test_a_refused_structure_shows_the_error_beside_its_field_with_the_values_kept(desk):
    client = desk.client(CHARGEE)
    rows = all_rows(desk.engine)
    data = {"organisation": "aci-trois", "role": "membre", "nom": "ACI Trois", "type": "siae"}
    response = client.post(MEMBERS, data=form_of(client) | data)
    assert response.status_code == 400
    assert 'value="ACI Trois"' in response.text
    assert '<option value="siae" selected>SIAE</option>' in response.text
    assert re.search(
        r'id="membre-siae" name="siae" aria-invalid="true" aria-describedby="erreur-membre-siae">'
        r".*?<span class=\"erreur\" id=\"erreur-membre-siae\" role=\"alert\">type de SIAE absent",
        response.text,
        re.S,
    )
    assert all_rows(desk.engine) == rows


def test_renaming_a_structure_another_case_uses_needs_the_box_ticked(desk):
    client = desk.client(CHARGEE)
    rows = all_rows(desk.engine)
    data = {"organisation": "aci-un", "role": "porteur", "nom": "ACI Un bis"}
    refused = client.post(MEMBERS, data=form_of(client) | data)
    assert refused.status_code == 400
    assert escape(f"sert aussi au(x) cas {OTHER} (donnée partagée)") in refused.text
    assert "cocher « Modifier aussi pour les autres cas »" in refused.text
    assert all_rows(desk.engine) == rows
    accepted = client.post(MEMBERS, data=form_of(client) | data | {"modifier_partage": "oui"})
    assert accepted.status_code == 303
    with Session(desk.engine) as session:
        logged = session.exec(
            select(Case.reference)
            .join(TimelineEvent, TimelineEvent.case_id == Case.id)
            .where(TimelineEvent.kind == "shared.updated")
        ).all()
    assert sorted(logged) == [OTHER, MINE]


def test_a_member_s_role_changes_from_its_row(desk):
    client = desk.client(CHARGEE)
    response = client.post(f"{MEMBERS}/ai-deux/role", data=form_of(client) | {"role": "partenaire"})
    assert response.status_code == 303
    assert member_role(desk, "ai-deux") is MemberRole.partenaire
    assert member_role(desk, "ai-deux", OTHER) is MemberRole.membre


def test_a_contact_s_role_on_this_case_changes_from_its_row(desk):
    client = desk.client(CHARGEE)
    data = {"email": PRESIDENT, "role": "direction", "organisation": "aci-un"}
    assert client.post(f"{CONTACTS}/role", data=form_of(client) | data).status_code == 303
    with Session(desk.engine) as session:
        roles = dict(
            session.exec(
                select(Case.reference, CaseContact.role)
                .join(Case, Case.id == CaseContact.case_id)
                .join(Contact, Contact.id == CaseContact.contact_id)
                .where(Contact.email == PRESIDENT)
            ).all()
        )
    assert roles == {MINE: ContactRole.direction, OTHER: ContactRole.presidence}


def test_a_new_contact_with_a_wrong_phone_is_refused_beside_the_phone_field(desk):
    client = desk.client(CHARGEE)
    rows = all_rows(desk.engine)
    data = {
        "email": "direction@ai-deux.example.org",
        "organisation": "ai-deux",
        "role": "direction",
        "telephone": "12",
    }
    response = client.post(CONTACTS, data=form_of(client) | data)
    assert response.status_code == 400
    assert 'id="erreur-contact-telephone" role="alert">téléphone invalide' in response.text
    assert 'value="direction@ai-deux.example.org"' in response.text
    assert all_rows(desk.engine) == rows
    data["telephone"] = "04 76 12 34 56"
    assert client.post(CONTACTS, data=form_of(client) | data).status_code == 303
    assert "04 76 12 34 56" in client.get(f"/cas/{MINE}").text


def test_a_form_drawn_before_another_change_is_refused(desk):
    client = desk.client(CHARGEE)
    stale = form_of(client)
    client.post(f"{MEMBERS}/ai-deux/role", data=form_of(client) | {"role": "partenaire"})
    rows = all_rows(desk.engine)
    response = client.post(f"{MEMBERS}/cabinet/role", data=stale | {"role": "partenaire"})
    assert response.status_code == 400 and "modifié entre-temps par coordination" in response.text
    assert all_rows(desk.engine) == rows


def test_only_people_who_see_the_case_may_change_its_people(desk):
    client = desk.client(OTHER_COORDINATOR)
    data = {"csrf": csrf_of(client.get("/cas").text), "revision": "0", "role": "partenaire"}
    rows = all_rows(desk.engine)
    assert client.post(f"{MEMBERS}/ai-deux/role", data=data).status_code == 404
    assert all_rows(desk.engine) == rows


def test_a_form_without_its_csrf_token_is_refused(desk):
    client = desk.client(CHARGEE)
    data = form_of(client) | {"csrf": "faux", "role": "partenaire"}
    assert client.post(f"{MEMBERS}/ai-deux/role", data=data).status_code == 403
    assert member_role(desk, "ai-deux") is MemberRole.membre
