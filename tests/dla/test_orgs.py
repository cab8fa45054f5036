"""One case file never rewrites the organisations and contacts of another case unasked."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, SQLModel, select

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.outbox.plan import plan_due_window
from models import Case, CaseContact, Contact, Notification, Organisation, TimelineEvent
from tests.dla.outbox.conftest import open_stages, outbox_case
from tests.factories import write_case

A, B = "DLA99-2024-01", "DLA99-2024-02"
SPY = "espion@attacker.example.com"
PRESIDENT = "presidence@aci-un.example.org"
TODAY = date(2024, 1, 8)


def dump(engine) -> dict[str, list[tuple]]:
    """Return every row of every table (ordered), to compare before and after."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(table.select())), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def load(engine, tmp_path, data: dict, *, update_shared: bool = False):
    plan = load_case_file(write_case(tmp_path, data))
    with transaction(engine) as session:
        return save_plan(
            plan,
            session=session,
            clock=FixedClock.on(date(2024, 1, 5)),
            actor="test",
            reason="test",
            update_shared=update_shared,
        )


def recipients(engine, reference: str) -> set[str]:
    """Run the planning pass (its rows are kept) and return the case's recipients."""
    with transaction(engine) as session:
        plan_due_window(session=session, today=TODAY, horizon=timedelta(days=90))
    with Session(engine) as session:
        return set(
            session.exec(
                select(Notification.recipient)
                .join(Case, Case.id == Notification.case_id)
                .where(Case.reference == reference, Notification.rule != "resume_hebdo")
            )
        )


def case_b(**org_changes) -> dict:
    """Another DLA's case that names case A's structure aci-un, and a president of its own."""
    data = outbox_case() | {"reference": B}
    data["organisations"][1] |= org_changes
    data["contacts"].append({"email": SPY, "role": "presidence", "organisation": "aci-un"})
    return data


@pytest.fixture
def case_a(engine, tmp_path) -> set[str]:
    """Case A loaded with its diagnostic open; return its reminders' recipients."""
    load(engine, tmp_path, outbox_case())
    open_stages(engine, TODAY)
    seen = recipients(engine, A)
    assert PRESIDENT in seen  # the presidency of aci-un is reminded of case A
    return seen


def test_a_file_renaming_another_cases_organisation_is_refused_and_changes_nothing(
    engine, tmp_path, case_a
):
    before = dump(engine)
    with pytest.raises(CaseFileError) as refused:
        load(engine, tmp_path, case_b(nom="ACI Espion", siret="40483304800022"))

    messages = str(refused.value)
    assert f"{B}.yaml:" in messages
    assert "organisations[1].nom" in messages and "'ACI Espion'" in messages
    assert "organisations[1].siret" in messages
    assert A in messages and "--update-shared" in messages
    assert dump(engine) == before
    assert recipients(engine, A) == case_a and SPY not in case_a


def test_a_file_renaming_another_cases_contact_is_refused_and_changes_nothing(
    engine, tmp_path, case_a
):
    data = outbox_case() | {"reference": B}
    data["organisations"].append({"cle": "autre", "nom": "Autre structure", "type": "autre"})
    data["contacts"][1] |= {"nom": "Quelqu'un d'autre", "role": "autre", "organisation": "autre"}
    before = dump(engine)

    with pytest.raises(CaseFileError, match=r"contacts\[1\]\.nom .*DLA99-2024-01"):
        load(engine, tmp_path, data)

    assert dump(engine) == before
    assert recipients(engine, A) == case_a


def test_a_role_declared_in_one_case_never_reaches_another_cases_reminders(
    engine, tmp_path, case_a
):
    data = case_b()  # the same facts about aci-un: linking to it is fine
    data["contacts"][1] |= {"role": "autre"}  # A's president plays another part in B
    load(engine, tmp_path, data)

    assert recipients(engine, A) == case_a and SPY not in case_a
    assert SPY in recipients(engine, B)
    with Session(engine) as session:
        roles = dict(
            session.exec(
                select(Case.reference, CaseContact.role)
                .join(Case, Case.id == CaseContact.case_id)
                .join(Contact, Contact.id == CaseContact.contact_id)
                .where(Contact.email == PRESIDENT)
            ).all()
        )
    assert {ref: role.value for ref, role in roles.items()} == {A: "presidence", B: "autre"}


def test_an_explicit_change_to_shared_data_is_applied_and_logged_on_every_case_using_it(
    engine, tmp_path, case_a
):
    outcome = load(engine, tmp_path, case_b(nom="ACI Un et Deux"), update_shared=True)

    with Session(engine) as session:
        name = session.exec(select(Organisation.name).where(Organisation.key == "aci-un")).one()
        logged = session.exec(
            select(Case.reference, TimelineEvent.summary)
            .join(Case, Case.id == TimelineEvent.case_id)
            .where(TimelineEvent.kind == "shared.updated")
            .order_by(Case.reference)
        ).all()
    assert name == "ACI Un et Deux"
    assert [ref for ref, _ in logged] == [A, B]
    for _, summary in logged:
        assert f"depuis le cas {B}" in summary and "'ACI Un' → 'ACI Un et Deux'" in summary
    assert any("ACI Un et Deux" in change for change in outcome.changes)
    assert recipients(engine, A) == case_a  # a shared name, not a role: A's people stay


def test_a_case_reloading_its_own_records_changes_them_and_logs_it(engine, tmp_path, case_a):
    data = outbox_case()
    data["organisations"][1]["nom"] = "ACI Un (nouveau nom)"
    load(engine, tmp_path, data)

    with Session(engine) as session:
        name = session.exec(select(Organisation.name).where(Organisation.key == "aci-un")).one()
        kinds = session.exec(select(TimelineEvent.kind)).all()
    assert name == "ACI Un (nouveau nom)" and "shared.updated" in kinds


def test_a_network_other_cases_list_is_shared_with_them(engine, tmp_path):
    data = outbox_case()  # A is linked to the network only through aci-un's networks
    data["organisations"][1]["reseaux"] = ["reseau"]
    data["membres"] = [m for m in data["membres"] if m["organisation"] != "reseau"]
    data["contacts"] = [c for c in data["contacts"] if c["organisation"] != "reseau"]
    load(engine, tmp_path, data)
    other = outbox_case() | {"reference": B}
    other["organisations"] = [o for o in other["organisations"] if o["cle"] != "aci-un"]
    other["organisations"].append({"cle": "aci-b", "nom": "ACI B", "type": "siae", "siae": "ACI"})
    other["contacts"] = [c for c in other["contacts"] if c["organisation"] != "aci-un"]
    other["membres"] = [
        {"organisation": "aci-b", "role": "porteur"},
        *(m for m in other["membres"] if m["organisation"] not in ("aci-un", "reseau")),
    ]
    other["organisations"][-2]["nom"] = "Réseau renommé"  # the network, which A does not list
    assert other["organisations"][-2]["cle"] == "reseau"

    with pytest.raises(CaseFileError, match=r"organisations\[\d\]\.nom .*DLA99-2024-01"):
        load(engine, tmp_path, other)


def test_a_file_gives_a_contact_a_phone_another_case_must_allow_changing(engine, tmp_path, case_a):
    data = outbox_case()
    data["contacts"][1]["telephone"] = "0476123456"
    load(engine, tmp_path, data)
    with Session(engine) as session:
        assert session.exec(select(Contact.phone).where(Contact.email == PRESIDENT)).one() == (
            "04 76 12 34 56"
        )
    other = case_b()
    other["contacts"][1]["telephone"] = "+33612345678"
    before = dump(engine)
    with pytest.raises(CaseFileError, match=r"contacts\[1\]\.telephone .*DLA99-2024-01"):
        load(engine, tmp_path, other)
    assert dump(engine) == before
