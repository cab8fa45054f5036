"""`dla deliver`: on demand, one case or all of them, and where the files are."""

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dla.cli import app
from tests.dla.deliverables.conftest import SAMPLES
from tests.factories import case_data, write_case

runner = CliRunner(env={"COLUMNS": "250"})


def dla(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_deliver_one_document_prints_each_file_and_the_folder(dla_env, tmp_path):
    dla("init")
    dla("case", "load", str(SAMPLES / "isere-2006.yaml"))

    result = dla("deliver", "DLA38-2006-01", "--kind", "monographie", "-f", "html", "-f", "docx")

    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "livrables"
    assert result.output.splitlines() == [
        f"DLA38-2006-01 · Monographie · html · v1 (nouvelle version) → "
        f"{folder}/dla38-2006-01/monographie-v1.html",
        f"DLA38-2006-01 · Monographie · docx · v1 (nouvelle version) → "
        f"{folder}/dla38-2006-01/monographie-v1.docx",
        f"2 fichier(s) dans {folder}/ dont 2 nouvelle(s) version(s).",
    ]
    again = dla("deliver", "DLA38-2006-01", "--kind", "monographie", "-f", "html")
    assert "v1 (inchangé)" in again.output


def test_deliver_all_renders_every_case_and_the_synthesis(dla_env, tmp_path):
    dla("init")
    dla("case", "load", str(SAMPLES / "isere-2006.yaml"), str(SAMPLES / "cantal-2006.yaml"))

    result = dla("deliver", "--all", "--format", "html")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum("DLA38-2006-01 ·" in line for line in lines) == 8
    assert sum("DLA15-2006-01 ·" in line for line in lines) == 8
    assert "synthese · Synthèse des accompagnements · html · v1 (nouvelle version)" in lines[-2]
    assert lines[-1].endswith("dont 17 nouvelle(s) version(s).")


def test_deliver_refuses_a_case_lacking_a_required_fact_and_writes_nothing(dla_env, tmp_path):
    dla("init")
    dla("case", "load", str(write_case(tmp_path, case_data())))

    result = runner.invoke(app, ["deliver", "DLA99-2024-01", "-k", "note_diagnostic"])

    assert result.exit_code == 2
    assert "DLA99-2024-01 — Note de diagnostic : champ obligatoire manquant" in result.output
    assert "« contexte.demande_initiale »" in result.output
    assert "Aucun livrable n'a été généré." in result.output
    assert not (tmp_path / "var" / "livrables").exists()


def test_deliver_without_a_reference_asks_for_one(dla_env):
    dla("init")
    result = runner.invoke(app, ["deliver"])

    assert result.exit_code == 2
    assert "Indiquez au moins une référence de cas, ou --all" in result.output


def test_deliver_keeps_heavy_imports_out_of_the_help():
    code = (
        "import sys; from dla.cli import app; "
        "print(sorted(m for m in ('matplotlib', 'weasyprint', 'docx', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert out.stdout.strip() == "[]"
