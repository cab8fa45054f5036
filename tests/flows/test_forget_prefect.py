"""`dla contact forget` leaves no trace of the person in Prefect's own database either."""

import time

from prefect import flow, get_run_logger
from prefect.artifacts import Artifact, create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.logging.handlers import APILogWorker
from prefect.settings import get_current_settings
from sqlalchemy import MetaData, Text, cast, func, or_, select
from typer.testing import CliRunner

from dla.cli import app
from dla.db import make_engine
from dla.privacy.prefect_db import sync_url
from flows.case_events import emit_case_events
from tests.factories import save_case

EMAIL = "presidence@aci-un.example.org"
COORDINATION = "coordination@dla-test.example.org"  # the chargé·e, in the case's events
runner = CliRunner()


@flow(flow_run_name="partage avec {email}")
def share(email: str) -> str:
    """A run given the address, which publishes and logs it (as a form or a preview would)."""
    create_markdown_artifact(f"# Contact\n\n{email}", key="contact-test", description=email)
    create_table_artifact([{"email": email}], key="contact-table", description=f"pour {email}")
    get_run_logger().info("message envoyé à %s", email)
    return "ok"


@flow
def mirror(database_url: str) -> int:
    """Send the case's timeline to Prefect: its events name the chargé·e by address."""
    engine = make_engine(database_url)
    try:
        return emit_case_events(engine)
    finally:
        engine.dispose()


def prefect_tables_naming(email: str) -> dict[str, int]:
    """Count, per table of Prefect's database, the rows where the address appears."""
    url = get_current_settings().server.database.connection_url.get_secret_value()
    engine = make_engine(sync_url(url))
    meta = MetaData()
    meta.reflect(engine)
    found = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            where = or_(*(func.lower(cast(c, Text)).contains(email) for c in table.columns))
            count = conn.execute(select(func.count()).select_from(table).where(where)).scalar()
            if count:
                found[table.name] = count
    engine.dispose()
    return found


def wait_for(tables: set[str], email: str, seconds: float = 60) -> dict[str, int]:
    """Wait until Prefect has written the address in these tables, and no more rows come in
    (events are written in batches, a run's last states a little after it ends)."""
    end = time.monotonic() + seconds
    last: dict[str, int] = {}
    while True:
        found = prefect_tables_naming(email)
        if (tables <= set(found) and found == last) or time.monotonic() > end:
            return found
        last = found
        time.sleep(3)


def test_forget_scrubs_prefect_runs_artifacts_events_and_logs(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    assert runner.invoke(app, ["init"]).exit_code == 0
    save_case(engine, tmp_path)
    assert share(EMAIL) == "ok"
    APILogWorker.drain_all(timeout=10)
    expected = {"flow_run", "artifact", "artifact_collection", "events", "log"}
    before = wait_for(expected, EMAIL)
    assert expected <= set(before), before

    result = runner.invoke(app, ["contact", "forget", EMAIL, "--yes"])

    assert result.exit_code == 0, result.output
    assert "base de Prefect : " in result.output and "artifact" in result.output
    assert prefect_tables_naming(EMAIL) == {}, result.output
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        assert all(EMAIL not in str(r.parameters) + r.name for r in runs)
    assert EMAIL not in str(Artifact.get("contact-test").data)
    engine.dispose()


def test_forget_scrubs_the_case_events_that_name_the_charge_de_mission(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    assert runner.invoke(app, ["init"]).exit_code == 0
    save_case(engine, tmp_path)
    sent = mirror(dla_env)
    end = time.monotonic() + 60
    while prefect_tables_naming(COORDINATION).get("events", 0) < sent:  # written in batches
        assert time.monotonic() < end, prefect_tables_naming(COORDINATION)
        time.sleep(1)
    assert {"events", "event_resources"} <= set(prefect_tables_naming(COORDINATION))

    result = runner.invoke(app, ["contact", "forget", COORDINATION, "--yes"])

    assert result.exit_code == 0, result.output
    assert prefect_tables_naming(COORDINATION) == {}, result.output
    engine.dispose()
