"""Opening a case from the UI's form or from a file of the cases folder."""

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import Session, func, select

from dla.casefile.form import NewCaseForm
from dla.casefile.problems import CaseFileError
from dla.cases import CaseConflict
from dla.clock import FixedClock
from dla.db import transaction
from dla.opening import case_file_path, open_from_file, open_from_form
from models import Case, CaseMember, Contact, Stage, TimelineEvent
from tests.factories import write_case

FORM = {
    "reference": "DLA63-2026-02",
    "titre": "Poste partagé d'encadrant technique",
    "modele": "poste_partage",
    "departement": "63",
    "debut": date(2026, 12, 1),
    "origine": "collectif",
    "mutualisations": ["poste_partage"],
    "perimetre": "Deux ACI du Livradois",
    "porteur_dla": "DLA du Puy-de-Dôme",
    "coordination": "coordination@dla63.example.org",
    "structures": [
        {"cle": "aci-un", "nom": "ACI Un", "siae": "ACI", "presidence": "pres@aci-un.example.org"},
        {"cle": "aci-deux", "nom": "ACI Deux", "siae": "ACI", "porteuse": True},
    ],
}


def form(**changes) -> NewCaseForm:
    return NewCaseForm.model_validate(FORM | changes)


def opened(engine, new: NewCaseForm):
    with transaction(engine) as session:
        return open_from_form(
            new, session=session, clock=FixedClock.on(date(2026, 11, 26)), actor="t"
        )


def total(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_form_opens_a_case_with_its_template_stages(engine):
    assert opened(engine, form()).status == "créé"

    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        stages = session.exec(select(Stage.key).order_by(Stage.position)).all()
        roles = {m.role.value for m in session.exec(select(CaseMember))}
        emails = {c.email for c in session.exec(select(Contact))}
    assert (case.reference, case.journey, case.departement) == (
        "DLA63-2026-02",
        "poste_partage",
        "63",
    )
    assert stages[0] == "mobilisation" and len(stages) >= 4
    assert roles == {"porteur", "membre"}
    assert emails == {"coordination@dla63.example.org", "pres@aci-un.example.org"}


def test_the_structure_marked_as_carrier_carries_the_case(engine):
    opened(engine, form())

    with Session(engine) as session:
        carrier = session.exec(select(CaseMember).where(CaseMember.role == "porteur")).one()
        assert carrier.organisation_id is not None


def test_an_existing_reference_is_refused_and_nothing_changes(engine):
    opened(engine, form())
    before = (total(engine, Case), total(engine, TimelineEvent))

    with pytest.raises(CaseConflict, match="référence déjà utilisée : 'DLA63-2026-02'"):
        opened(engine, form(titre="Autre intitulé"))

    assert (total(engine, Case), total(engine, TimelineEvent)) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departement": "20"}, "departement"),
        ({"modele": "inconnu"}, "modele"),
        ({"coordination": "pas-une-adresse"}, "coordination"),
        ({"structures": []}, "structures"),
        ({"reference": "../../etc"}, "reference"),
    ],
)
def test_a_bad_form_is_refused_before_anything_is_written(changes, field):
    with pytest.raises(ValidationError) as caught:
        form(**changes)

    assert caught.value.errors()[0]["loc"][0] == field


@pytest.mark.parametrize("name", ["../x.yaml", "/etc/passwd", "sous/x.yaml", "x.txt", ""])
def test_a_case_file_outside_the_cases_folder_is_refused(tmp_path, name):
    with pytest.raises(CaseFileError, match="nom de fichier de cas attendu"):
        case_file_path(name, tmp_path)


def test_a_case_file_of_the_cases_folder_is_loaded(engine, tmp_path):
    write_case(tmp_path, name="cas.yaml")

    with transaction(engine) as session:
        outcome = open_from_file(
            "cas.yaml",
            tmp_path,
            100_000,
            session=session,
            clock=FixedClock.on(date(2024, 1, 5)),
            actor="t",
        )

    assert (outcome.reference, outcome.status) == ("DLA99-2024-01", "créé")


def test_a_missing_case_file_is_named(tmp_path):
    with pytest.raises(CaseFileError, match="fichier absent"):
        case_file_path("absent.yaml", tmp_path)


def test_the_form_refuses_to_rename_a_structure_of_another_case_unless_asked(engine):
    opened(engine, form())
    renamed = FORM["structures"][0] | {"nom": "ACI Renommé"}
    other = {"reference": "DLA63-2026-03", "structures": [renamed, FORM["structures"][1]]}

    with pytest.raises(CaseFileError, match=r"organisations\[\d\]\.nom .*DLA63-2026-02"):
        opened(engine, form(**other))
    assert total(engine, Case) == 1

    opened(engine, form(**other, modifier_donnees_partagees=True))
    with Session(engine) as session:
        logged = session.exec(
            select(TimelineEvent.case_id).where(TimelineEvent.kind == "shared.updated")
        ).all()
    assert total(engine, Case) == 2 and len(logged) == 2


def test_cases_opened_for_two_dla_hosts_keep_their_own_host(engine):
    opened(engine, form())
    opened(engine, form(reference="DLA63-2026-03", porteur_dla="DLA de l'Allier"))

    with Session(engine) as session:
        hosts = session.exec(select(Case.reference, Case.dla_host_id)).all()
    assert len({host for _, host in hosts}) == 2
