"""Interactive figures: a private `make up`, and a case opened through the served form."""

from datetime import date

from prefect.utilities.schema_tools.validation import validate
from sqlmodel import Session, select

from benchmarks import bench_interactive
from deployments.catalog import deployments
from dla.casefile.form import NewCaseForm
from dla.db import make_engine
from models import Case, Stage
from models.enums import StageStatus
from tests.prefect_db import copy_migrated


def test_the_benchmark_form_is_one_the_deployment_accepts():
    values = bench_interactive.form("DLA63-BENCH-01", date(2026, 12, 7))
    opening = next(d for d in deployments() if d.name == "ouvrir-un-cas")
    schema = opening._parameter_openapi_schema.model_dump()
    assert list(validate({"nouveau": values}, schema)) == []
    assert values["origine"] == "Demande d'un collectif de structures"
    form = NewCaseForm.model_validate(values)
    assert form.reference == "DLA63-BENCH-01"
    assert form.debut == date(2026, 8, 9)


def test_a_case_opened_through_the_served_form_waits_at_its_first_gate(tmp_path, tmp_path_factory):
    var = tmp_path / "up"
    # Its Prefect server starts on a migrated copy (this checks the steps, it times nothing).
    copy_migrated(tmp_path_factory, var / "prefect" / "prefect.db")
    with bench_interactive.stack(var, {"DLA_UP_REPLAY": "0"}) as s:
        assert bench_interactive.answers(f"{s.desk}/connexion") == 200
        assert 0 < s.desk_seconds <= s.seconds
        assert list(s.phases) == ["server and samples", "deployments served", "desk and account"]
        assert bench_interactive.wait_idle(s.api) >= 0
        assert bench_interactive.open_case(s.api, "DLA63-BENCH-01", date.today()) > 0
    engine = make_engine(f"sqlite:///{var / 'dla.db'}")
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.reference == "DLA63-BENCH-01")).one()
        stages = {
            x.key: x.status for x in session.exec(select(Stage).where(Stage.case_id == case.id))
        }
    engine.dispose()
    assert stages["mobilisation"] is StageStatus.en_attente_validation
    # `make down` ran: nothing answers on the desk's port any more.
    assert bench_interactive.answers(f"{s.desk}/connexion") is None


def test_make_up_is_split_by_the_lines_it_prints():
    lines = [
        (0.5, "prefect-server : démarré (PID 1)"),
        (10.0, "deployments : démarré (PID 2)"),
        (25.0, "Rejeu des cas d'exemple jusqu'au 2011-12-31 (une minute environ)…"),
        (70.0, "desk : démarré (PID 3)"),
    ]
    assert bench_interactive.phases(lines, 72.5) == {
        "server and samples": 10.0,
        "deployments served": 15.0,
        "replay and waiting runs": 45.0,
        "desk and account": 2.5,
    }
    # Without the replay (DLA_UP_REPLAY=0), its step is not there.
    shown = bench_interactive.phases([lines[1], lines[3]], 72.5)
    assert list(shown) == ["server and samples", "deployments served", "desk and account"]
