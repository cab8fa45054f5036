"""The `dla` command line, driven in-process and, for start-up, as a real program."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from dla.cli import app
from dla.clock import FixedClock
from dla.db import make_engine
from dla.progress import advance, plain_steps
from models import Case, TimelineEvent
from tests.factories import case_data, write_case

runner = CliRunner(env={"COLUMNS": "250"})


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def count(url: str, model) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        n = session.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return n


def test_init_can_run_twice(dla_env):
    assert run("init").exit_code == 0
    assert run("init").exit_code == 0


def test_case_load_then_list_shows_the_case(dla_env, tmp_path):
    result = run("case", "load", str(write_case(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "DLA99-2024-01 : créé" in result.output
    listing = run("case", "list", "--date", "2024-01-10")
    assert "DLA99-2024-01" in listing.output
    assert "22 janvier 2024" in listing.output


def test_loading_the_same_file_again_reports_it_unchanged(dla_env, tmp_path):
    path = write_case(tmp_path)
    run("case", "load", str(path))
    events = count(dla_env, TimelineEvent)
    result = run("case", "load", str(path))
    assert "inchangé" in result.output
    assert count(dla_env, TimelineEvent) == events


def test_one_bad_file_means_nothing_is_loaded_and_exit_code_2(dla_env, tmp_path):
    good = write_case(tmp_path)
    bad = write_case(tmp_path, case_data(reference="DLA99-2024-02", origine="hasard"))
    result = run("case", "load", str(good), str(bad))
    assert result.exit_code == 2
    assert f"{bad}" in result.output and "origine" in result.output and "'hasard'" in result.output
    assert "aucun fichier n'a été chargé" in result.output
    assert count(dla_env, Case) == 0


def test_two_files_with_the_same_reference_are_refused(dla_env, tmp_path):
    first = write_case(tmp_path, name="a.yaml")
    second = write_case(tmp_path, name="b.yaml")
    result = run("case", "load", str(first), str(second))
    assert result.exit_code == 2
    assert "référence déjà utilisée" in result.output


def test_a_missing_file_is_reported_by_name(dla_env, tmp_path):
    result = run("case", "load", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 2
    assert "absent.yaml" in result.output and "illisible" in result.output


def test_show_prints_stages_steps_and_timeline(dla_env, tmp_path):
    run("case", "load", str(write_case(tmp_path)))
    result = run("case", "show", "DLA99-2024-01")
    assert result.exit_code == 0
    for expected in (
        "Diagnostic partagé",
        "Note de diagnostic remise",
        "ACI Un",
        "Journal",
        "Suivi à 6 mois",
    ):
        assert expected in result.output


def test_an_exported_case_file_loads_back_unchanged(dla_env, tmp_path):
    run("case", "load", str(write_case(tmp_path)))
    target = tmp_path / "exporte.yaml"

    written = run("case", "export", "DLA99-2024-01", "--output", str(target))
    printed = run("case", "export", "DLA99-2024-01")

    assert written.exit_code == 0, written.output
    assert printed.stdout == target.read_text(encoding="utf-8")
    events = count(dla_env, TimelineEvent)
    assert "DLA99-2024-01 : inchangé" in run("case", "load", str(target)).output
    assert count(dla_env, TimelineEvent) == events


def test_show_of_an_unknown_case_says_so(dla_env):
    result = run("case", "show", "DLA00-0000-00")
    assert result.exit_code == 2
    assert "Cas inconnu" in result.output


def test_list_with_a_bad_date_is_refused(dla_env):
    result = run("case", "list", "--date", "27/11/2006")
    assert result.exit_code == 2
    assert "--date" in result.output and "AAAA-MM-JJ" in result.output


def test_commands_before_init_ask_for_init(monkeypatch, tmp_path):
    from dla.settings import get_settings

    monkeypatch.setenv("DLA_DATABASE_URL", f"sqlite:///{tmp_path}/vide.db")
    get_settings.cache_clear()
    try:
        result = run("case", "list")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "dla init" in result.output


def test_schema_prints_a_json_schema_with_french_titles():
    result = run("case", "schema")
    schema = json.loads(result.output)
    assert schema["title"] == "Fichier de cas d'accompagnement DLA"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["origine"]["title"] == "Origine de la demande"
    assert schema["$defs"]["DemandOrigin"]["title"] == "Choix : origine de la demande"


def test_help_starts_without_importing_the_heavy_parts():
    code = "import sys; from dla.cli import app; print(sorted(m for m in ('sqlmodel', 'prefect', 'holidays') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert out.stdout.strip() == "[]"


def test_run_wants_references_or_all_but_not_both(dla_env, tmp_path):
    run("case", "load", str(write_case(tmp_path)))

    for args in (("run",), ("run", "DLA99-2024-01", "--all")):
        result = run(*args)
        assert result.exit_code == 2
        assert "Indiquer des références de cas, ou --all" in result.output


def test_a_decision_nobody_waits_for_takes_effect_at_once(dla_env, tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    run("init")
    run("case", "load", str(write_case(tmp_path)))
    engine = make_engine(dla_env)  # the gate waits (no Prefect run: the plain loop)
    advance(engine, "DLA99-2024-01", FixedClock.on(date(2024, 1, 22)), plain_steps(engine))
    engine.dispose()
    common = ["--decision", "validee", "--instance", "conseil_administration"]
    for structure, day in [("aci-un", "2024-01-23"), ("ai-deux", "2024-01-24")]:
        result = run(
            "validate", "DLA99-2024-01", "diagnostic", *common,
            "--structure", structure, "--date", day, "--today", day,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "DLA99-2024-01 : en cours" in result.output
    shown = run("case", "show", "DLA99-2024-01").output
    assert "Étape close : Diagnostic partagé" in shown


def test_case_load_refuses_a_change_to_another_cases_organisation_unless_asked(dla_env, tmp_path):
    run("case", "load", str(write_case(tmp_path)))
    other = case_data(reference="DLA99-2024-02")
    other["organisations"][1]["nom"] = "ACI Renommée"
    path = write_case(tmp_path, other)

    refused = run("case", "load", str(path))
    assert refused.exit_code == 2
    assert f"{path}:" in refused.output and "organisations[1].nom" in refused.output
    assert "'ACI Renommée'" in refused.output and "DLA99-2024-01" in refused.output
    assert "--update-shared" in refused.output and count(dla_env, Case) == 1

    applied = run("case", "load", "--update-shared", str(path))
    assert applied.exit_code == 0, applied.output
    assert "Donnée partagée modifiée" in applied.output and count(dla_env, Case) == 2
