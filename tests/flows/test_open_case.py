"""Opening a case through its Prefect flows (no deployment: the case flow runs inline)."""

import pytest
from prefect.exceptions import FailedRun
from sqlmodel import Session, func, select

from dla.db import make_engine
from flows.open_case import CaseFileChoice, load_case, open_case
from models import Case, Stage
from models.enums import StageStatus
from tests.dla.test_opening import form
from tests.factories import write_case


def test_opening_a_case_saves_it_and_starts_following_it(prefect_server, dla_env):
    status = open_case(form(debut="2026-11-02"))

    engine = make_engine(dla_env)
    with Session(engine) as session:
        first = session.exec(select(Stage).order_by(Stage.position)).first()
    assert status in ("en-cours", "en-attente-de-validation")
    assert first.status is not StageStatus.a_venir


def test_opening_the_same_reference_twice_fails_the_run_and_keeps_one_case(prefect_server, dla_env):
    open_case(form(debut="2026-11-02"))

    with pytest.raises(FailedRun, match="Cas refusé, rien n'a été enregistré : référence déjà"):
        open_case(form(debut="2026-11-02", titre="Doublon"))

    with Session(make_engine(dla_env)) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 1


def test_a_case_file_is_loaded_from_the_cases_folder_only(prefect_server, dla_env, tmp_path):
    folder = tmp_path / "var" / "cas"
    folder.mkdir(parents=True)
    write_case(folder, name="cas.yaml")

    assert load_case(CaseFileChoice(fichier="cas.yaml"))
    with pytest.raises(FailedRun, match="« Fichier de cas » \\(fichier\\) : attendu : Nom d'un"):
        load_case(choix={"fichier": "../../dla.db.yaml"})
    with pytest.raises(FailedRun, match="Cas refusé, rien n'a été enregistré : .*fichier absent"):
        load_case(CaseFileChoice(fichier="absent.yaml"))
