"""Links the product writes lead to the desk at DLA_PUBLIC_URL, never to file:// paths."""

from dla.links import case_link, document_link, documents_link
from dla.settings import get_settings


def test_links_use_the_public_address(monkeypatch):
    monkeypatch.setenv("DLA_PUBLIC_URL", "https://bureau.example.org/")
    get_settings.cache_clear()
    try:
        assert case_link("DLA13-2005-01") == "https://bureau.example.org/cas/DLA13-2005-01"
        assert document_link("DLA13-2005-01", 7).endswith("/cas/DLA13-2005-01/documents/7")
        assert documents_link("synthese") == "https://bureau.example.org/cas"
    finally:
        get_settings.cache_clear()
