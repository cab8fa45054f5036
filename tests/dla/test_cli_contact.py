"""`dla contact export` and `dla contact forget`, driven in-process."""

import json

from typer.testing import CliRunner

from dla.cli import app
from tests.factories import case_data, write_case

runner = CliRunner(env={"COLUMNS": "250"})
PRESIDENT = "presidence@aci-un.example.org"


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def loaded(tmp_path) -> None:
    data = case_data()
    data["contacts"][1]["nom"] = "Claire Présidente"
    assert run("init").exit_code == 0
    assert run("case", "load", str(write_case(tmp_path, data))).exit_code == 0


def test_export_prints_what_is_held_as_json(dla_env, tmp_path):
    loaded(tmp_path)
    result = run("contact", "export", PRESIDENT)
    assert result.exit_code == 0, result.output
    held = json.loads(result.stdout)
    assert held["contact"]["nom"] == "Claire Présidente"
    assert [c["reference"] for c in held["cas"]] == ["DLA99-2024-01"]


def test_export_writes_the_file_given_by_sortie(dla_env, tmp_path):
    loaded(tmp_path)
    target = tmp_path / "export.json"
    result = run("contact", "export", PRESIDENT, "--output", str(target))
    assert result.exit_code == 0 and str(target) in result.output
    assert json.loads(target.read_text(encoding="utf-8"))["adresse"] == PRESIDENT


def test_forget_asks_first_and_a_no_changes_nothing(dla_env, tmp_path):
    loaded(tmp_path)
    result = run("contact", "forget", PRESIDENT, input="n\n")
    assert result.exit_code == 1
    assert "rien n'a été modifié" in result.output
    assert json.loads(run("contact", "export", PRESIDENT).stdout)["contact"]["email"] == PRESIDENT


def test_forget_with_yes_erases_then_the_address_is_unknown(dla_env, tmp_path):
    loaded(tmp_path)
    result = run("contact", "forget", PRESIDENT, "--yes")
    assert result.exit_code == 0, result.output
    assert "remplacée par « personne-" in result.output
    again = run("contact", "forget", PRESIDENT, "--yes")
    assert again.exit_code == 1 and "Aucune donnée n'est conservée" in again.output
    assert run("contact", "export", PRESIDENT).exit_code == 1


def test_forget_warns_about_a_case_file_that_still_holds_the_address(dla_env, tmp_path):
    loaded(tmp_path)
    result = run("contact", "forget", PRESIDENT, "--yes")
    assert "contient encore cette adresse" in result.stderr
    assert str(tmp_path / "DLA99-2024-01.yaml") in result.stderr


def test_an_unknown_address_is_reported_and_exits_non_zero(dla_env, tmp_path):
    loaded(tmp_path)
    for command in ("export", "forget"):
        result = run("contact", command, "inconnu@nulle-part.example.org")
        assert result.exit_code == 1
        assert "Aucune donnée n'est conservée pour inconnu@nulle-part.example.org" in result.output


def test_a_malformed_address_is_refused_with_exit_code_2(dla_env, tmp_path):
    loaded(tmp_path)
    result = run("contact", "forget", "pas-une-adresse", "--yes")
    assert result.exit_code == 2
    assert "adresse électronique invalide : 'pas-une-adresse'" in result.output
