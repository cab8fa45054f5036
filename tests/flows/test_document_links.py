"""The documents artifact of a case links each version to the desk, never to a file:// path."""

from datetime import datetime

from dla.links import document_link
from flows.case_artifacts import documents_markdown
from models import Deliverable
from models.types import PARIS


def test_the_documents_artifact_links_each_version_to_the_desk():
    doc = Deliverable(
        id=7, case_id=1, kind="monographie", fmt="pdf", version=2, template_version="t",
        data_hash="h", path="livrables/dla13-2005-01/monographie-v2.pdf",
        created_at=datetime(2006, 1, 2, tzinfo=PARIS),
    )  # fmt: skip
    text = documents_markdown("DLA13-2005-01", [doc])
    assert f"[pdf]({document_link('DLA13-2005-01', 7)})" in text
    assert "file://" not in text
