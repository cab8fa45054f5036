"""`dla member set|contact|role`: members and contacts from the command line."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from models import CaseContact, CaseMember, Contact, Organisation, TimelineEvent
from models.enums import ContactRole, MemberRole
from tests.factories import REFERENCE, all_rows

runner = CliRunner(env={"COLUMNS": "250"})
TODAY = ["--today", "2024-01-15"]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_member_set_adds_a_structure_and_advances_the_case(dla_env, opened):
    result = run(
        "member", "set", REFERENCE, "aci-trois", "--role", "membre", "--name", "ACI Trois",
        "--kind", "siae", "--siae", "ACI", *TODAY, "--by", "Léa",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "« ACI Trois » (SIAE, ACI) rejoint le cas : structure membre" in result.output
    assert f"{REFERENCE} : en cours" in result.output
    with Session(opened) as session:
        role = session.exec(
            select(CaseMember.role)
            .join(Organisation, Organisation.id == CaseMember.organisation_id)
            .where(Organisation.key == "aci-trois")
        ).one()
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "member.set")).one()
    assert role is MemberRole.membre
    assert (event.actor, event.data["channel"]) == ("Léa", "cli")


def test_member_set_refuses_an_unknown_role_with_exit_code_2(dla_env, opened):
    rows = all_rows(opened)
    result = run("member", "set", REFERENCE, "ai-deux", "--role", "adherent", *TODAY)
    assert result.exit_code == 2
    assert "Action refusée, rien n'a été enregistré :\n- rôle inconnu : 'adherent'" in result.output
    assert all_rows(opened) == rows


def test_member_contact_adds_a_person_with_a_phone(dla_env, opened):
    result = run(
        "member", "contact", REFERENCE, "direction@ai-deux.example.org", "--organisation",
        "ai-deux", "--role", "direction", "--name", "Sam Roux", "--phone", "0476123456", *TODAY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(opened) as session:
        person = session.exec(select(Contact).where(Contact.name == "Sam Roux")).one()
    assert person.phone == "04 76 12 34 56"


def test_member_contact_refuses_a_shared_rename_without_update_shared(dla_env, opened, tmp_path):
    from tests.factories import case_data, save_case

    save_case(opened, tmp_path, case_data(reference="DLA99-2024-02"))
    args = ["member", "contact", REFERENCE, "presidence@aci-un.example.org", "--name", "Alex"]
    refused = run(*args, *TODAY)
    assert refused.exit_code == 2 and "--update-shared" in refused.output
    accepted = run(*args, "--update-shared", *TODAY)
    assert accepted.exit_code == 0, accepted.output


def test_member_role_changes_the_role_on_this_case(dla_env, opened):
    result = run("member", "role", REFERENCE, "presidence@aci-un.example.org", "direction", *TODAY)
    assert result.exit_code == 0, result.output
    assert "rôle présidence → direction" in result.output
    with Session(opened) as session:
        assert (
            session.exec(
                select(CaseContact.role)
                .join(Contact, Contact.id == CaseContact.contact_id)
                .where(Contact.email == "presidence@aci-un.example.org")
            ).one()
            is ContactRole.direction
        )
