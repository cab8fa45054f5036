"""Bad arguments to `dla`: a French message naming what is wrong, a non-zero exit, nothing written."""

from datetime import date

import pytest
from typer.testing import CliRunner

from dla.cli import app
from dla.db import make_engine
from tests.dla.outbox.conftest import open_stages
from tests.factories import case_data, snapshot, write_case

runner = CliRunner(env={"COLUMNS": "250"})

REF, STAGE = "DLA99-2024-01", "diagnostic"
DECIDE = ["--instance", "conseil_administration", "--decision", "validee", "--today", "2024-01-22"]


def bad(name: str, args: list[str], *expected: str, code: int = 2):
    return pytest.param(args, expected, code, id=name)


BAD_ARGUMENTS = [
    # Dates
    bad("impossible-date-for-the-portfolio", ["case", "list", "--date", "2024-02-30"], "--date"),
    bad("french-date-for-a-run", ["run", REF, "--today", "27/11/2006"], "--today", "AAAA-MM-JJ"),
    bad(
        "month-13-for-a-decision",
        ["validate", REF, STAGE, *DECIDE, "--date", "2024-13-01"],
        "--date : date invalide '2024-13-01'",
    ),
    bad(
        "word-for-a-postponement",
        ["validate", REF, STAGE, *DECIDE, "--postponed-to", "demain"],
        "--postponed-to : date invalide",
    ),
    bad("word-for-the-reminders-day", ["remind", "--today", "lundi"], "--today", "AAAA-MM-JJ"),
    bad("empty-date-for-a-replay", ["remind", "--since", ""], "--since", "AAAA-MM-JJ"),
    bad("replay-from-the-future", ["remind", "--today", "2024-01-10", "--since", "2024-02-01"]),
    bad(
        "impossible-date-for-the-deliverables",
        ["deliver", REF, "--today", "2024-02-30"],
        "--today : date invalide",
    ),
    # Issue 15: days outside 1990–2100, refused on their option (never an OverflowError, and
    # never obeyed: --today 2101 used to send reminders and write events dated 2101)
    bad("run-in-year-9999", ["run", REF, "--today", "9999-12-31"], "--today hors limites"),
    bad("replay-to-year-1", ["run", REF, "--replay", "--today", "0001-01-01"], "--today hors"),
    bad("reminders-in-2101", ["remind", "--today", "2101-01-01"], "--today hors limites"),
    bad("reminders-in-year-1", ["remind", "--today", "0001-01-01"], "--today hors limites"),
    bad(
        "reminders-replayed-from-year-1",
        ["remind", "--since", "0001-01-01", "--today", "2024-01-10"],
        "--since hors limites : 0001-01-01 (attendu entre le 01/01/1990 et le 31/12/2100)",
    ),
    bad("portfolio-in-year-9999", ["case", "list", "--date", "9999-12-31"], "--date hors"),
    bad("deliverables-in-2101", ["deliver", REF, "--today", "2101-01-01"], "--today hors"),
    bad(
        "decision-in-year-1",
        ["validate", REF, STAGE, *DECIDE, "--date", "0001-01-01"],
        "--date hors limites",
    ),
    bad(
        "decision-entered-in-2101",
        ["validate", REF, STAGE, *DECIDE[:-2], "--today", "2101-01-01", "--date", "2101-01-01"],
        "--today hors limites",
    ),
    # Unknown references
    bad("unknown-case-shown", ["case", "show", "DLA00-0000-00"], "Cas inconnu : 'DLA00-0000-00'"),
    bad("unknown-case-run", ["run", "DLA00-0000-00"], "Cas inconnu : 'DLA00-0000-00'"),
    bad("path-as-a-case-to-run", ["run", "../../etc"], "Référence invalide : '../../etc'"),
    bad("nul-in-a-case-to-show", ["case", "show", "DLA38\x00"], "Référence invalide"),
    bad("unknown-case-exported", ["case", "export", "DLA00-0000-00"], "Cas inconnu"),
    bad("path-as-a-case-to-export", ["case", "export", "../../etc"], "Référence invalide"),
    bad(
        "export-into-a-missing-folder",
        ["case", "export", REF, "--output", "/dossier-absent/cas.yaml"],
        "--output : écriture impossible",
        "rien n'a été écrit",
    ),
    bad("nul-in-a-case-to-run", ["run", "DLA38\x00-2006"], "Référence invalide"),
    bad("oversized-case-to-show", ["case", "show", "A" * 5000], "3 à 40 caractères"),
    bad(
        "unknown-case-decided",
        ["validate", "DLA00-0000-00", STAGE, *DECIDE],
        "cas inconnu : 'DLA00-0000-00'",
    ),
    bad(
        "unknown-case-delivered",
        ["deliver", "DLA00-0000-00", "--format", "html"],
        "DLA00-0000-00",
        "aucun livrable",
    ),
    bad(
        "path-as-a-document-kind",
        ["deliver", REF, "--kind", "../../etc", "--format", "html"],
        "livrable inconnu : '../../etc'",
    ),
    bad("unknown-format", ["deliver", REF, "--format", "odt"], "format inconnu : 'odt'"),
    # Reasons written on the timeline (issue 15)
    bad(
        "reason-of-100-kilobytes",
        ["case", "load", "cas.yaml", "--reason", "x" * 100_000],
        "--reason : trop long (100000 caractères, au plus 500)",
    ),
    bad(
        "reason-with-an-escape-sequence",
        ["case", "load", "cas.yaml", "--reason", "ok\x1b[2J"],
        "--reason : retour à la ligne ou caractère de contrôle (U+001B) refusé",
    ),
    bad(
        "reason-with-a-line-break",
        ["case", "load", "cas.yaml", "--reason", "ligne\nFaux événement"],
        "(U+000A) refusé",
    ),
    bad(
        "reason-with-a-right-to-left-override",
        ["case", "load", "cas.yaml", "--reason", "motif \u202eeuqitilop"],
        "--reason : caractère de contrôle du sens d'écriture (U+202E) refusé",
    ),
    bad("blank-reason", ["case", "load", "cas.yaml", "--reason", "  "], "--reason : motif vide"),
    # Unknown options, commands and missing or extra arguments
    bad("unknown-option", ["case", "load", "--force", "x.yaml"], "option inconnue : --force"),
    bad("misspelt-option", ["case", "list", "--dat", "2024-01-10"], "vouliez-vous dire --date"),
    bad("unknown-command", ["case", "lst"], "commande inconnue : lst"),
    bad("unknown-top-level-option", ["--version"], "option inconnue : --version"),
    bad("option-without-its-value", ["deliver", REF, "--kind"], "--kind demande une valeur"),
    bad("missing-stage", ["validate", REF, *DECIDE], "argument manquant : STAGE"),
    bad("missing-decision", ["validate", REF, STAGE, "--instance", "bureau"], "--decision"),
    bad("extra-argument", ["case", "show", REF, "en-trop"], "argument(s) en trop : en-trop"),
    # Decisions (validation input)
    bad(
        "unknown-stage",
        ["validate", REF, "inconnue", *DECIDE],
        # The whole list, in the journey's order, up to the end of the line (a prefix would pass
        # whatever order the database returned the stages in)
        "étape inconnue : 'inconnue' ; attendu parmi : diagnostic, mise-en-oeuvre\n",
    ),
    bad(
        "unknown-body",
        ["validate", REF, STAGE, "--instance", "conseil", "--decision", "validee"],
        "--instance : valeur inconnue 'conseil'",
    ),
    bad(
        "unknown-decision",
        ["validate", REF, STAGE, "--instance", "bureau", "--decision", "oui"],
        "--decision : valeur inconnue 'oui'",
    ),
    bad(
        "structure-outside-the-case",
        ["validate", REF, STAGE, *DECIDE, "--structure", "cabinet-bis"],
        "structure absente du cas : 'cabinet-bis'",
    ),
    bad(
        "decision-in-the-future",
        ["validate", REF, STAGE, *DECIDE, "--date", "2024-03-01"],
        "date de décision dans le futur",
    ),
    bad(
        "comment-of-3000-characters",
        ["validate", REF, STAGE, *DECIDE, "--comment", "x" * 3000],
        "commentaire trop long : 3000 caractères (au plus 2000)",
    ),
    bad(
        "comment-with-a-nul",
        ["validate", REF, STAGE, *DECIDE, "--comment", "vu\x00"],
        "commentaire : caractère de contrôle refusé",
    ),
    bad(
        "reference-with-a-nul",
        ["validate", "DLA99\x00", STAGE, *DECIDE],
        "référence invalide : 'DLA99\\x00'",
    ),
    bad(
        "stage-of-500-characters",
        ["validate", REF, "e" * 500, *DECIDE],
        "étape invalide",
        "80 caractères au plus",
    ),
    bad(
        "structure-with-a-line-break",
        ["validate", REF, STAGE, *DECIDE, "--structure", "aci-un\nBcc"],
        "structure invalide",
    ),
    bad(
        "postponed-to-year-9999",
        ["validate", REF, STAGE, *DECIDE[:-4], "--decision", "reportee", "--today", "2024-01-22"]
        + ["--postponed-to", "9999-12-31"],
        "--postponed-to hors limites : 9999-12-31",
    ),
]


@pytest.fixture
def loaded(dla_env, engine, snapshots, tmp_path) -> str:
    """The database after `dla init` and `dla case load` (by the first test, a copy after)."""

    def init_and_load() -> None:
        assert runner.invoke(app, ["init"]).exit_code == 0
        assert runner.invoke(app, ["case", "load", str(write_case(tmp_path))]).exit_code == 0

    snapshots.build_or_copy(engine, "dla init + case load", init_and_load)
    return dla_env


@pytest.mark.parametrize(("args", "expected", "code"), BAD_ARGUMENTS)
def test_a_bad_argument_is_refused_in_french_and_changes_nothing(loaded, args, expected, code):
    engine = make_engine(loaded)
    before = snapshot(engine)

    result = runner.invoke(app, args)

    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for fragment in expected:
        assert fragment in result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert snapshot(engine) == before
    engine.dispose()


def test_a_second_file_with_the_reference_of_the_first_loads_nothing(loaded, tmp_path):
    engine = make_engine(loaded)
    before = snapshot(engine)
    first = write_case(tmp_path, name="a.yaml")
    second = write_case(tmp_path, name="b.yaml")

    result = runner.invoke(app, ["case", "load", str(first), str(second)])

    assert result.exit_code == 2
    assert f"{second} : reference : référence déjà utilisée" in result.output
    assert snapshot(engine) == before
    engine.dispose()


# --- Issue 15: case data is printed as typed, never read as Rich markup --------------------------

MARKUP_TITLE = "Poste [/] partagé [aci/ai] [link=https://evil.example/]clic[/link] [bold red]"


def hostile_case() -> dict:
    """A case whose titles and names hold Rich markup (a loaded file is data, not markup)."""
    data = case_data(titre=MARKUP_TITLE, perimetre="[/] [aci/ai] périmètre")
    data["organisations"][1]["nom"] = "ACI [/] [aci/ai]"
    data["etapes"][0]["titre"] = "Diagnostic [/]"
    data["etapes"][0]["taches"][0]["titre"] = "Note [aci/ai] remise [/]"
    return data


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["case", "list", "--date", "2024-01-30"], id="portfolio"),
        pytest.param(["case", "show", REF], id="one-case"),
        pytest.param(["remind", "--today", "2024-01-30", "--dry-run"], id="reminders-dry-run"),
        pytest.param(["remind", "--today", "2024-01-30"], id="reminders"),
    ],
)
def test_markup_in_case_data_is_printed_as_typed(dla_env, tmp_path, args):
    assert runner.invoke(app, ["init"]).exit_code == 0
    loaded = runner.invoke(app, ["case", "load", str(write_case(tmp_path, hostile_case()))])
    assert loaded.exit_code == 0, loaded.output
    open_stages(make_engine(dla_env), date(2024, 1, 8))

    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    flat = " ".join(result.output.split())
    assert "[aci/ai]" in flat and "[/]" in flat
    if args[1] == REF:
        assert MARKUP_TITLE in flat and "Note [aci/ai] remise [/]" in flat
    assert "\x1b]8;" not in result.output  # no terminal hyperlink
