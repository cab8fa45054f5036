"""Files that may keep an address: case files of the cases folder, .eml copies, deliverables."""

import io
import os
import tempfile
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

from dla.casefile.problems import CaseFileError
from dla.casefile.yamlio import parse_yaml
from dla.mail.eml import eml_name
from dla.privacy.scrub import Erasure


def case_files(folder: Path | None, probe: Erasure) -> list[Path]:
    """Return the case files of `folder` (the UI's cases folder) that carry the address."""
    if folder is None or not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [p for p in paths if probe.mentions(p.read_text(encoding="utf-8", errors="replace"))]


def rewrite_case_file(path: Path, erasure: Erasure) -> None:
    """Put the pseudonym in a case file: the address everywhere, the name in its contact entry."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    try:
        data, where = parse_yaml(text, str(path))
    except CaseFileError:
        data, where = {}, {}  # unreadable file: the address is still replaced below
    contacts = data.get("contacts") if isinstance(data, dict) else None
    for index, entry in enumerate(contacts if isinstance(contacts, list) else []):
        if not isinstance(entry, dict) or str(entry.get("email", "")).lower() != erasure.email:
            continue
        name, line = entry.get("nom"), where.get(("contacts", index, "nom"))
        if isinstance(name, str) and name and line:
            # Replace the name only after its own key, on its own line (flow or block style).
            row = lines[line - 1]
            start = row.find("nom")
            lines[line - 1] = row[:start] + row[start:].replace(name, erasure.alias, 1)
    _write(path, erasure.text("".join(lines)).encode("utf-8"))


def scrub_outbox(folder: Path | None, erasure: Erasure, own_keys: list[str]) -> int:
    """Delete the .eml copies sent to the person; rewrite others that show the address."""
    if folder is None or not folder.is_dir():
        return 0
    changed = 0
    for key in own_keys:
        target = folder / eml_name(key)
        if target.exists():
            target.unlink()
            changed += 1
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if _scrub_message(message, erasure):
            _write(path, message.as_bytes(policy=policy.SMTP))
            changed += 1
    return changed


def _scrub_message(message, erasure: Erasure) -> bool:
    changed = False
    for name, value in list(message.items()):
        if erasure.mentions(str(value)):
            message.replace_header(name, erasure.text(str(value)))
            changed = True
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_subtype() not in ("plain", "html"):
            continue
        content = part.get_content()
        if erasure.mentions(content):
            part.set_content(
                erasure.text(content), subtype=part.get_content_subtype(), charset="utf-8"
            )
            changed = True
    return changed


def document_names(path: Path, probe: Erasure) -> bool | None:
    """Tell whether a deliverable file shows the address (None: format not searchable)."""
    if not path.is_file():
        return False
    if path.suffix == ".html":
        return probe.mentions(path.read_text(encoding="utf-8", errors="replace"))
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return probe.mentions(archive.read("word/document.xml").decode("utf-8", "replace"))
    return None


def scrub_documents(var_dir: Path, rows: list, erasure: Erasure) -> tuple[int, list[str]]:
    """Put the pseudonym in the deliverable files (HTML, Word) that show the address.

    A PDF cannot be rewritten: one whose HTML or Word twin (same data) showed the address is
    deleted, and returned so that it can be generated again. Returns (files rewritten, PDFs).
    """
    rewritten, naming = 0, set()
    for row in rows:
        path = var_dir / row.path
        if path.suffix == ".html" and document_names(path, erasure):
            _write(path, erasure.document(path.read_text(encoding="utf-8")).encode("utf-8"))
        elif path.suffix == ".docx" and document_names(path, erasure):
            _write(path, _scrubbed_docx(path, erasure))
        else:
            continue
        rewritten += 1
        naming.add((row.case_id, row.kind, row.data_hash))
    removed = []
    for row in rows:
        path = var_dir / row.path
        if (
            path.suffix == ".pdf"
            and path.is_file()
            and (row.case_id, row.kind, row.data_hash) in naming
        ):
            path.unlink()
            removed.append(row.path)
    return rewritten, removed


def _scrubbed_docx(path: Path, erasure: Erasure) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".xml"):
                data = erasure.document(data.decode("utf-8")).encode("utf-8")
            out.writestr(item, data)
    return buffer.getvalue()


def _write(path: Path, content: bytes) -> None:
    # Atomic: a reader never sees half a case file or half a message.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
