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


class Terminal:
    """A stderr that says it is a terminal and keeps what is written to it."""

    def __init__(self):
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_a_progress_bar_shows_on_a_terminal_and_counts_the_files(monkeypatch):
    from dla.cli.common import progress_bar

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress_bar(3, "Lecture des fichiers") as done:
        for n in (1, 2, 3):
            done(n)
    assert "Lecture des fichiers" in terminal.text and "3/3" in terminal.text


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    from dla.cli.common import progress_bar

    with progress_bar(3, "Lecture des fichiers") as done:
        done(3)
    assert capsys.readouterr().err == ""
