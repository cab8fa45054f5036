"""What every `dla` command shares: one way to fail, one database check."""

import pytest
import typer
from typer.testing import CliRunner

from dla.cli import app
from dla.cli.common import fail
from dla.settings import get_settings

runner = CliRunner()


def test_fail_prints_the_message_on_stderr_and_exits_2_by_default(capsys):
    with pytest.raises(typer.Exit) as stop:
        fail("Référence invalide.")

    assert stop.value.exit_code == 2
    assert capsys.readouterr().err == "Référence invalide.\n"


def test_fail_exits_with_the_code_given(capsys):
    with pytest.raises(typer.Exit) as stop:
        fail("Sauvegarde impossible.", 1)

    assert stop.value.exit_code == 1


@pytest.mark.parametrize("command", [["case", "list"], ["remind"], ["run", "--all"]])
def test_an_unreachable_base_is_reported_in_french_with_exit_code_1(monkeypatch, command):
    monkeypatch.setenv("DLA_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/absente")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, command)
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "Base de données injoignable (" in result.output
    assert "127.0.0.1:1/absente" in result.output


def test_a_base_never_set_up_is_refused_with_exit_code_1(monkeypatch, tmp_path):
    monkeypatch.setenv("DLA_DATABASE_URL", f"sqlite:///{tmp_path / 'vide.db'}")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["case", "list"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1
    assert "Base non initialisée : lancez d'abord « dla init »." in result.output
