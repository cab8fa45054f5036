"""Links the product writes lead to the desk at DLA_PUBLIC_URL, never to file:// paths."""

from datetime import datetime

from dla.links import case_link, document_link, documents_link
from dla.settings import get_settings
from flows.case_artifacts import documents_markdown
from models import Deliverable
from models.types import PARIS


def test_links_use_the_public_address(monkeypatch):
    monkeypatch.setenv("DLA_PUBLIC_URL", "https://bureau.example.org/")
    get_settings.cache_clear()
    try:
        assert case_link("DLA13-2005-01") == "https://bureau.example.org/cas/DLA13-2005-01"
        assert document_link("DLA13-2005-01", 7).endswith("/cas/DLA13-2005-01/documents/7")
        assert documents_link("synthese") == "https://bureau.example.org/cas"
    finally:
        get_settings.cache_clear()


def test_the_documents_artifact_links_each_version_to_the_desk():
    doc = Deliverable(
        id=7, case_id=1, kind="monographie", fmt="pdf", version=2, template_version="t",
        data_hash="h", path="livrables/dla13-2005-01/monographie-v2.pdf",
        created_at=datetime(2006, 1, 2, tzinfo=PARIS),
    )  # fmt: skip
    text = documents_markdown("DLA13-2005-01", [doc])
    assert f"[pdf]({document_link('DLA13-2005-01', 7)})" in text
    assert "file://" not in text
