"""An organisation joins the case, or its role or shared facts change: the core function."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor
from dla.actions.members import set_member
from dla.clock import FixedClock
from dla.db import transaction
from models import Case, CaseMember, Organisation, Stage, TimelineEvent, ValidationRequirement
from models.enums import Body, MemberRole
from tests.factories import REFERENCE, all_rows, case_data, save_case

DESK = Actor("Camille Martin", "bureau")
DAY = FixedClock.on(date(2024, 1, 15))
OTHER = "DLA99-2024-02"
NEW_SIAE = {"name": "ACI Trois", "kind": "siae", "siae": "ACI"}


def member(engine, organisation="aci-trois", role="membre", **kwargs):
    with transaction(engine) as session:
        return set_member(
            REFERENCE, organisation, role=role, session=session, clock=DAY, actor=DESK, **kwargs
        )


def refusal(call) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [(p.field, p.message) for p in caught.value.problems]


def requirements(engine, key: str) -> set[Body]:
    with Session(engine) as session:
        return set(
            session.exec(
                select(ValidationRequirement.body)
                .join(Organisation, Organisation.id == ValidationRequirement.organisation_id)
                .join(Stage, Stage.id == ValidationRequirement.stage_id)
                .where(Organisation.key == key, Stage.key == "diagnostic")
            )
        )


def revisions(engine) -> dict[str, int]:
    with Session(engine) as session:
        return dict(session.exec(select(Case.reference, Case.revision)).all())


def test_a_new_siae_joins_the_case_and_the_member_decisions_still_to_come(opened):
    before = revisions(opened)[REFERENCE]
    outcome = member(opened, **NEW_SIAE)
    assert outcome.summary.startswith("« ACI Trois » (SIAE, ACI) rejoint le cas : structure membre")
    assert "sa décision est attendue pour : Diagnostic partagé" in outcome.summary
    assert requirements(opened, "aci-trois") == {Body.conseil_administration}
    with Session(opened) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "member.set")).one()
    assert (event.actor, event.data["channel"], event.at) == ("Camille Martin", "bureau", DAY.now())
    assert revisions(opened)[REFERENCE] > before


def test_a_member_that_becomes_a_partner_is_no_longer_asked_to_validate(opened):
    assert requirements(opened, "ai-deux") == {Body.conseil_administration}
    outcome = member(opened, "ai-deux", role="partenaire")
    assert outcome.summary.startswith(
        "Rôle de « AI Deux » dans le cas : structure membre → partenaire"
    )
    assert requirements(opened, "ai-deux") == set()


def test_the_same_role_again_changes_nothing(opened):
    rows = all_rows(opened)
    outcome = member(opened, "ai-deux", role="membre")
    assert not outcome.changed and "inchangé" in outcome.summary
    assert all_rows(opened) == rows


def test_a_siae_without_its_type_and_an_unknown_role_are_refused_and_nothing_is_written(opened):
    rows = all_rows(opened)
    problems = refusal(lambda: member(opened, role="adherent", name="ACI Trois", kind="siae"))
    assert [field for field, _ in problems] == ["role", "siae"]
    assert problems[0][1].startswith("rôle inconnu : 'adherent' ; attendu parmi : porteur")
    assert problems[1][1] == (
        "type de SIAE absent ; attendu pour une SIAE : AI, ACI, EI, ETTI ou GEIQ"
    )
    assert all_rows(opened) == rows


def test_a_new_organisation_needs_its_name_and_type(opened):
    problems = refusal(lambda: member(opened))
    assert [field for field, _ in problems] == ["nom", "type"]


def test_a_wrong_siret_is_refused(opened):
    problems = refusal(lambda: member(opened, siret="73282932000075", **NEW_SIAE))
    assert problems == [
        (
            "siret",
            "SIRET refusé : '73282932000075' ; SIRET invalide (clé de contrôle de Luhn fausse) "
            "; attendu : 14 chiffres",
        )
    ]


def test_the_case_s_dla_host_cannot_be_a_member(opened):
    problems = refusal(lambda: member(opened, "dla-test", role="partenaire"))
    assert problems[0][0] == "organisation" and "porte le DLA de ce cas" in problems[0][1]


def test_renaming_an_organisation_another_case_uses_is_refused_unless_confirmed(opened, tmp_path):
    save_case(opened, tmp_path, case_data(reference=OTHER))
    rows = all_rows(opened)
    problems = refusal(lambda: member(opened, "aci-un", role="porteur", name="ACI Un bis"))
    assert problems == [
        (
            "nom",
            "nom 'ACI Un bis' : l'organisation « aci-un » sert aussi au(x) cas DLA99-2024-02 "
            "(donnée partagée), rien n'a été changé ; attendu : la valeur enregistrée ('ACI Un'), "
            "ou la confirmation de la modifier pour tous ces cas (bureau : cocher « Modifier aussi "
            "pour les autres cas » ; ligne de commande : --update-shared)",
        )
    ]
    assert all_rows(opened) == rows

    before = revisions(opened)
    outcome = member(opened, "aci-un", role="porteur", name="ACI Un bis", update_shared=True)
    assert "nom : 'ACI Un' → 'ACI Un bis'" in outcome.summary
    with Session(opened) as session:
        shared = session.exec(
            select(Case.reference, TimelineEvent.data)
            .join(Case, Case.id == TimelineEvent.case_id)
            .where(TimelineEvent.kind == "shared.updated")
        ).all()
    assert sorted(ref for ref, _ in shared) == [REFERENCE, OTHER]
    assert {data["channel"] for _, data in shared} == {"bureau"}
    assert all(after > before[ref] for ref, after in revisions(opened).items())


def test_a_role_change_never_touches_the_other_case_s_membership(opened, tmp_path):
    save_case(opened, tmp_path, case_data(reference=OTHER))
    member(opened, "ai-deux", role="partenaire")
    with Session(opened) as session:
        roles = dict(
            session.exec(
                select(Case.reference, CaseMember.role)
                .join(Case, Case.id == CaseMember.case_id)
                .join(Organisation, Organisation.id == CaseMember.organisation_id)
                .where(Organisation.key == "ai-deux")
            ).all()
        )
    assert roles == {REFERENCE: MemberRole.partenaire, OTHER: MemberRole.membre}


def test_a_form_of_an_older_revision_is_refused(opened):
    seen = revisions(opened)[REFERENCE]
    member(opened, **NEW_SIAE)
    problems = refusal(lambda: member(opened, "ai-deux", role="partenaire", revision=seen))
    assert problems[0][0] is None
    assert problems[0][1].startswith("modifié entre-temps par Camille Martin")
