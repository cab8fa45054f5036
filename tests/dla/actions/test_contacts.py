"""A person joins the case, or their role, organisation, name, phone or address changes."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor
from dla.actions.contacts import set_contact, set_contact_role
from dla.clock import FixedClock
from dla.db import transaction
from dla.privacy.forgotten import remember_forgotten
from models import Case, CaseContact, Contact, TimelineEvent
from models.enums import ContactRole
from tests.factories import REFERENCE, all_rows, case_data, save_case

CLI = Actor("lea", "cli")
DAY = FixedClock.on(date(2024, 1, 15))
OTHER = "DLA99-2024-02"
PRESIDENT = "presidence@aci-un.example.org"
COORDINATION = "coordination@dla-test.example.org"
NEWCOMER = "direction@ai-deux.example.org"


def contact(engine, email=NEWCOMER, **kwargs):
    with transaction(engine) as session:
        return set_contact(REFERENCE, email, session=session, clock=DAY, actor=CLI, **kwargs)


def role(engine, email, value, **kwargs):
    with transaction(engine) as session:
        return set_contact_role(
            REFERENCE, email, role=value, session=session, clock=DAY, actor=CLI, **kwargs
        )


def refusal(call) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [(p.field, p.message) for p in caught.value.problems]


def person(engine, email: str) -> Contact:
    with Session(engine) as session:
        return session.exec(select(Contact).where(Contact.email == email)).one()


def roles(engine, email: str) -> dict[str, ContactRole]:
    with Session(engine) as session:
        return dict(
            session.exec(
                select(Case.reference, CaseContact.role)
                .join(Case, Case.id == CaseContact.case_id)
                .join(Contact, Contact.id == CaseContact.contact_id)
                .where(Contact.email == email)
            ).all()
        )


@pytest.fixture
def two_cases(opened, tmp_path):
    """Case A opened, and case B naming the same president of aci-un."""
    save_case(opened, tmp_path, case_data(reference=OTHER))
    return opened


def test_a_new_person_joins_the_case_with_a_role_for_an_organisation(opened):
    outcome = contact(
        opened,
        "Direction@AI-Deux.example.org",
        organisation="ai-deux",
        role="direction",
        name="Sam Roux",
        phone="04.76.12.34.56",
    )
    assert outcome.summary == (
        "Contact direction@ai-deux.example.org ajouté au cas : direction (AI Deux)"
    )
    added = person(opened, NEWCOMER)
    assert (added.name, added.phone) == ("Sam Roux", "04 76 12 34 56")
    assert roles(opened, NEWCOMER) == {REFERENCE: ContactRole.direction}
    with Session(opened) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "contact.set")).one()
    assert (event.actor, event.data["channel"]) == ("lea", "cli")
    assert "04" not in event.summary  # a phone number is not copied into the timeline


def test_a_new_person_needs_an_organisation_of_the_case_and_a_role(opened):
    rows = all_rows(opened)
    problems = refusal(lambda: contact(opened, organisation="inconnue"))
    assert [field for field, _ in problems] == ["organisation", "role"]
    assert problems[0][1] == (
        "organisation inconnue dans le cas : 'inconnue' ; attendu parmi : aci-un, ai-deux, "
        "cabinet, dla-test (ajoutez d'abord la structure comme membre)"
    )
    assert problems[1][1].startswith("rôle absent ; attendu pour un nouveau contact parmi :")
    assert all_rows(opened) == rows


def test_a_malformed_address_is_refused(opened):
    problems = refusal(lambda: contact(opened, "pas-une-adresse", organisation="ai-deux"))
    assert problems == [
        (
            "email",
            "adresse e-mail invalide : 'pas-une-adresse' ; attendu : une adresse comme "
            "nom@domaine.fr",
        )
    ]


def test_an_address_erased_at_its_owner_s_request_never_comes_back(opened):
    with transaction(opened) as session:
        remember_forgotten(NEWCOMER, session=session, at=DAY.now())
    rows = all_rows(opened)
    problems = refusal(lambda: contact(opened, organisation="ai-deux", role="direction"))
    assert problems[0][0] == "email"
    assert "effacée à sa demande (dla contact forget), qui ne peut revenir" in problems[0][1]
    problems = refusal(lambda: contact(opened, PRESIDENT, new_email=NEWCOMER.upper()))
    assert problems[0][0] == "nouvelle_adresse"
    assert all_rows(opened) == rows


def test_a_role_changed_on_one_case_stays_on_that_case(two_cases):
    outcome = role(two_cases, PRESIDENT, "direction")
    assert outcome.summary == f"Contact {PRESIDENT} modifié : rôle présidence → direction"
    assert roles(two_cases, PRESIDENT) == {
        REFERENCE: ContactRole.direction,
        OTHER: ContactRole.presidence,
    }


def test_a_role_change_is_for_a_person_already_in_the_case(opened):
    problems = refusal(lambda: role(opened, NEWCOMER, "direction"))
    assert problems[0][0] == "email" and problems[0][1].startswith("contact absent du cas")


def test_renaming_a_person_another_case_knows_needs_a_confirmation(two_cases):
    rows = all_rows(two_cases)
    problems = refusal(lambda: contact(two_cases, PRESIDENT, name="Alex Perrin"))
    assert problems[0][0] == "nom"
    assert (
        f"le contact {PRESIDENT} sert aussi au(x) cas {OTHER} (donnée partagée)" in (problems[0][1])
    )
    assert all_rows(two_cases) == rows
    contact(two_cases, PRESIDENT, name="Alex Perrin", phone="+33 6 12 34 56 78", update_shared=True)
    assert (person(two_cases, PRESIDENT).name, person(two_cases, PRESIDENT).phone) == (
        "Alex Perrin",
        "+33612345678",
    )
    with Session(two_cases) as session:
        summaries = session.exec(
            select(TimelineEvent.summary).where(TimelineEvent.kind == "shared.updated")
        ).all()
    assert len(summaries) == 2 and all("612345678" not in s for s in summaries)


def test_a_person_only_this_case_knows_changes_freely(opened):
    outcome = contact(opened, PRESIDENT, name="Alex Perrin", new_email="alex@aci-un.example.org")
    assert outcome.summary == (
        f"Contact alex@aci-un.example.org modifié : nom : 'Alex Perrin', adresse {PRESIDENT} → "
        "alex@aci-un.example.org"
    )


def test_an_address_of_another_person_is_refused(opened):
    problems = refusal(lambda: contact(opened, PRESIDENT, new_email=COORDINATION))
    assert problems == [
        (
            "nouvelle_adresse",
            f"nouvelle adresse '{COORDINATION}' déjà celle d'un autre contact ; attendu : une "
            "adresse qu'aucun contact n'a",
        )
    ]


def test_the_coordinator_keeps_their_role_and_address(opened):
    problems = refusal(lambda: contact(opened, COORDINATION, role="autre", new_email="x@y.fr"))
    assert [field for field, _ in problems] == ["role", "nouvelle_adresse"]


def test_a_wrong_phone_number_is_refused(opened):
    problems = refusal(lambda: contact(opened, PRESIDENT, phone="12 34"))
    assert problems == [
        (
            "telephone",
            "téléphone invalide : '12 34' ; attendu : un numéro de 10 chiffres commençant par 0 "
            "(04 76 12 34 56) ou international (+33 4 76 12 34 56)",
        )
    ]


def test_the_same_values_again_change_nothing(opened):
    rows = all_rows(opened)
    outcome = contact(opened, PRESIDENT, role="presidence", organisation="aci-un")
    assert not outcome.changed
    assert all_rows(opened) == rows
