"""Links the product writes (Prefect artifacts, e-mails) to the desk, at DLA_PUBLIC_URL."""

from urllib.parse import quote

from dla.settings import get_settings


def desk_url(path: str = "/") -> str:
    """Return the desk's public address of a path."""
    return get_settings().resolved_public_url + path


def case_link(reference: str) -> str:
    """Return the desk page of a case."""
    return desk_url(f"/cas/{quote(reference, safe='')}")


def document_link(reference: str, deliverable_id: int) -> str:
    """Return the download address of one version of a case's document (access checked)."""
    return f"{case_link(reference)}/documents/{deliverable_id}"


def documents_link(owner: str) -> str:
    """Return where a document owner's files are listed: its case page, or the desk's list."""
    if owner == "synthese":  # the all-cases synthesis is listed (to admins) above the case list
        return desk_url("/cas")
    return f"{case_link(owner)}#documents"
