"""The "livrables" flow on a real Prefect engine: files, previews, links and progress."""

import json
from pathlib import Path

import pytest
from prefect.artifacts import Artifact
from pydantic import ValidationError

from dla.db import make_engine
from dla.links import documents_link
from flows.deliver import DeliverRequest, deliver
from tests.dla.deliverables.conftest import load_samples

ISERE = "DLA38-2006-01"


@pytest.fixture
def isere(dla_env):
    engine = make_engine(dla_env)
    load_samples(engine, {"isere-2006.yaml", "cantal-2006.yaml"})
    yield engine
    engine.dispose()


def test_the_flow_writes_documents_and_publishes_a_preview_and_links(
    prefect_server, isere, tmp_path
):
    request = DeliverRequest(
        references=[ISERE], documents=["monographie"], formats=["html", "docx"]
    )

    paths = deliver(request)

    folder = tmp_path / "var" / "livrables" / "dla38-2006-01"
    assert sorted(Path(p) for p in paths) == sorted(
        [folder / "monographie-v1.html", folder / "monographie-v1.docx"]
    )
    preview = Artifact.get("livrable-dla38-2006-01-monographie")
    assert preview.type == "markdown"
    assert "# Monographie" in preview.data and "27 novembre 2006" in preview.data
    link = Artifact.get("livrable-dla38-2006-01-monographie-docx")
    # The link leads to the desk's case page, where each version downloads (file:// would not).
    assert f"({documents_link(ISERE)})" in link.data and "file://" not in link.data
    table = json.loads(Artifact.get("livrables").data)
    assert [(row["format"], row["version"], row["état"]) for row in table] == [
        ("html", 1, "nouvelle version"),
        ("docx", 1, "nouvelle version"),
    ]


def test_rendering_many_files_reports_progress_and_the_synthesis(prefect_server, isere):
    request = DeliverRequest(documents=["rapport_suivi", "synthese"], formats=["html"])

    paths = deliver(request)

    assert sorted(Path(p).name for p in paths) == [
        "rapport-suivi-v1.html",
        "rapport-suivi-v1.html",
        "synthese-v1.html",
    ]
    progress = Artifact.get("livrables-progression")
    assert progress.type == "progress"
    assert float(progress.data) == 100.0
    assert "Cantal" in Artifact.get("livrable-synthese-synthese").data


def test_the_form_refuses_unknown_documents_and_formats():
    with pytest.raises(ValidationError):
        DeliverRequest(documents=["rapport_secret"])
    with pytest.raises(ValidationError):
        DeliverRequest(formats=["odt"])
    schema = DeliverRequest.model_json_schema()
    assert schema["properties"]["references"]["title"] == "Références des cas"
