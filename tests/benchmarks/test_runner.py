"""The runner writes BENCHMARKS.md with every section, each target marked pass or miss."""

import pytest

from benchmarks.runner import main

# The runs start child processes (the memory child, `dla desk`, `dla --help`).
pytestmark = pytest.mark.subprocess


def test_a_quick_run_writes_every_figure_with_its_target_and_verdict(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    report = main(
        [
            "--sizes",
            "6,12",
            "--runs",
            "1",
            "--messages",
            "4",
            "--latency-messages",
            "4",
            "--files",
            "2",
            "--documents",
            "1",
            "--heavy",
            "1",
            "--requests",
            "20",
            "--no-prefect",
            "--no-postgresql",
            "--output",
            str(output),
        ]
    )
    text = output.read_text(encoding="utf-8")
    sections = (
        "Planning",
        "Sweep decision",
        "Sending",
        "Rendering",
        "Memory",
        "Desk",
        "Loading",
        "CLI start",
    )
    for section in sections:
        assert f"## {section}" in text
    targeted = [f for f in report.figures if f.target != "—"]
    assert targeted and all(f.ok in (True, False) for f in targeted)
    assert all(f.name in text for f in report.figures)


def test_only_runs_the_sections_asked_for(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    report = main(["--only", "loading", "--files", "2", "--runs", "1", "--output", str(output)])
    text = output.read_text(encoding="utf-8")
    assert "## Loading case files" in text
    assert "## Sweep decision" not in text and "## CLI start" not in text
    assert report.figures and all(f.section == "Loading case files" for f in report.figures)
